// The kiosk's face service: started in its worker thread as the kiosk starts (or shared by several kiosks in one
// process), and the face engine's health as the fleet sees it. The models load beside everything else: the
// start screen and the fingerprint step do not wait for them, the face step does (kiosk-sessions.ts).
import type { DeviceHealth } from '../../core/device-health.ts';
import { FaceService } from '../../face/face-service.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { KioskConfig } from './kiosk-config.ts';

export type FleetDevice = { readonly id: string; readonly state: DeviceHealth['state'] };

export class KioskFace {
  private loading: Promise<FaceService> | undefined;
  /** The face engine as the fleet sees it: backend and detector in its id, ok once its models loaded, failing if they did not. */
  engine: FleetDevice | undefined;

  constructor(
    private readonly settings: KioskConfig['face'],
    /**
     * A face service to share (several kiosks in one process), or one still starting; otherwise the kiosk starts
     * its own.
     */
    private readonly shared: FaceService | Promise<FaceService> | undefined,
    private readonly logger: Logger,
  ) {
    if (shared instanceof FaceService) {
      this.loading = Promise.resolve(shared);
      this.engine = engineHealth(shared);
    }
  }

  /** The face threshold in force: the configuration's, from `muster face calibrate`. */
  get threshold(): number {
    return this.settings.threshold;
  }

  /** Whether the models are loaded: a face step reached before then waits for them, and says so. */
  get ready(): boolean {
    return this.engine?.state === 'ok';
  }

  /** Starts loading the models now, without waiting for them; a failure is logged and marks the engine failing. */
  start(): void {
    this.service().catch((error: unknown) => {
      this.logger.error({ err: error }, 'face service failed to start');
    });
  }

  service(): Promise<FaceService> {
    if (this.loading) return this.loading;
    const loading = this.shared
      ? Promise.resolve(this.shared)
      : FaceService.start({
          backend: this.settings.backend,
          detector: this.settings.detector,
          // The iris model only for the blink challenge: one model less to load, warm and run on every frame.
          eyes: this.settings.challenge === 'blink',
          logger: this.logger,
        });
    loading.then(
      (service) => {
        this.engine = engineHealth(service);
      },
      () => {
        this.engine = { id: 'face', state: 'failing' };
      },
    );
    this.loading = loading;
    return loading;
  }

  /** Stops the service this kiosk started (a shared one belongs to its owner). */
  async close(): Promise<void> {
    if (this.loading && !this.shared) await (await this.loading.catch(() => undefined))?.close();
  }
}

function engineHealth(service: FaceService): FleetDevice {
  return { id: `face/${service.health.backend}/${service.health.detector}`, state: 'ok' };
}
