// The kiosk's face service: started on first use in its worker thread (or shared by several kiosks in one
// process), and the face engine's health as the fleet sees it.
import type { DeviceHealth } from '../../core/device-health.ts';
import { FaceService } from '../../face/face-service.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { KioskConfig } from './kiosk-config.ts';

export type FleetDevice = { readonly id: string; readonly state: DeviceHealth['state'] };

export class KioskFace {
  private own: Promise<FaceService> | undefined;
  /** The face engine as the fleet sees it: backend and detector in its id, ok once its models loaded, failing if they did not. */
  engine: FleetDevice | undefined;

  constructor(
    private readonly settings: KioskConfig['face'],
    /** A face service to share (several kiosks in one process); otherwise one is started on first use. */
    private readonly shared: FaceService | undefined,
    private readonly logger: Logger,
  ) {}

  /** The face threshold in force: the configuration's, from `muster face calibrate`. */
  get threshold(): number {
    return this.settings.threshold;
  }

  async service(): Promise<FaceService> {
    if (this.shared) {
      this.engine ??= engineHealth(this.shared);
      return this.shared;
    }
    if (!this.own) {
      this.own = FaceService.start({
        backend: this.settings.backend,
        detector: this.settings.detector,
        logger: this.logger,
      });
      this.own.then(
        (service) => {
          this.engine = engineHealth(service);
        },
        () => {
          this.engine = { id: 'face', state: 'failing' };
        },
      );
    }
    return this.own;
  }

  /** Stops the service this kiosk started (a shared one belongs to its owner). */
  async close(): Promise<void> {
    if (this.own) await (await this.own.catch(() => undefined))?.close();
  }
}

function engineHealth(service: FaceService): FleetDevice {
  return { id: `face/${service.health.backend}/${service.health.detector}`, state: 'ok' };
}
