// The kiosk's devices: the fingerprint sensor, the camera and the badge reader, opened from the configuration
// behind the device registry. A device missing at start is logged as disconnected and tried again, so a kiosk
// booting without its reader still checks people in with the rest. Emulated devices plug in below the drivers
// (a serialport binding, a report source), so the same code runs against emulators and hardware.
import type { BindingInterface } from '@serialport/bindings-cpp';
import type { DeviceAvailability } from '../../core/checkin/checkin-machine.ts';
import { type DeviceKind, deviceUsable } from '../../core/device-health.ts';
import { BadgeReader } from '../../drivers/badge/badge-reader.ts';
import { DataModeDecoder } from '../../drivers/badge/keyboard-report.ts';
import { openHidSource } from '../../drivers/badge/node-hid-source.ts';
import { type ReportSource, StreamReportSource } from '../../drivers/badge/report-source.ts';
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import type { DeviceRegistry, HealthSource } from '../../drivers/device-registry.ts';
import type { FingerprintSensor } from '../../drivers/fingerprint/fingerprint-sensor.ts';
import { openCamera, openFingerprintSensor } from '../../drivers/open-device.ts';
import { SerialTransport } from '../../drivers/serial-transport.ts';
import type { Logger } from '../../runtime/logger.ts';
import { type BackoffPolicy, RetryLoop } from '../../runtime/retry.ts';
import { ReaderBadgePort } from './badge-port.ts';
import type { DeviceHealthLog } from './device-health-log.ts';
import type { KioskConfig } from './kiosk-config.ts';

export interface KioskDevicesOptions {
  readonly config: KioskConfig;
  readonly registry: DeviceRegistry;
  /** Where every change of a device's state is written. */
  readonly health: DeviceHealthLog;
  readonly subjectOfBadge: (card: string) => string | undefined;
  /** Emulators and tests: the serialport binding the fingerprint sensor and camera open through. */
  readonly binding?: BindingInterface | undefined;
  /** Emulators and tests: where badge reports come from instead of the configured reader. */
  readonly badgeSource?: (() => Promise<ReportSource>) | undefined;
  /** How often a device that is missing at start is tried again (default REOPEN). */
  readonly reopen?: BackoffPolicy | undefined;
  readonly logger: Logger;
}

/** A device missing at start: tried again within 2 s, then backing off to every 30 s at most, jittered. */
export const REOPEN: BackoffPolicy = { initialMs: 2000, maxMs: 30_000, jitter: 0.5 };

export class KioskDevices {
  private openedSensor: FingerprintSensor | undefined;
  private openedCamera: Camera | undefined;
  private reader: BadgeReader | undefined;
  private port: ReaderBadgePort | undefined;
  private readonly reopening = new Set<RetryLoop>();

  constructor(private readonly options: KioskDevicesOptions) {}

  /** The fingerprint sensor, once it opened. */
  get sensor(): FingerprintSensor | undefined {
    return this.openedSensor;
  }

  /** The camera, once it opened. */
  get camera(): Camera | undefined {
    return this.openedCamera;
  }

  /** The badge reader as the check-in sees it, when one is configured. */
  get badgePort(): ReaderBadgePort | undefined {
    return this.port;
  }

  /** Which kinds of device can take a person now. */
  availability(): DeviceAvailability {
    const usable = (kind: DeviceKind): boolean =>
      this.options.registry.all().some((d) => d.kind === kind && deviceUsable(d.state));
    return { fingerprint: usable('fingerprint'), camera: usable('camera'), badge: usable('badge') };
  }

  /** Opens every configured device; resolves once their states at start are on the log. */
  async open(): Promise<void> {
    const { config, registry, health } = this.options;
    const { devices } = config;
    registry.on('health', (h) => {
      health.observe(h);
    });
    const binding = this.options.binding ? { binding: this.options.binding } : {};
    if (devices.fingerprint) {
      const settings = devices.fingerprint;
      await this.openDevice('fingerprint', 'fingerprint', async () => {
        const opened = await openFingerprintSensor({
          family: settings.family,
          target: settings.target,
          baudRate: settings.baudRate,
          ...(settings.model ? { model: settings.model } : {}),
          ...binding,
        });
        this.openedSensor = opened.device;
        return opened.health;
      });
    }
    if (devices.camera) {
      const settings = devices.camera;
      await this.openDevice('camera', 'camera', async () => {
        const opened = await openCamera({
          target: settings.target,
          baudRate: settings.baudRate,
          ...(settings.chunkSize ? { camera: { chunkSize: settings.chunkSize } } : {}),
          ...(settings.resolution ? { resolution: settings.resolution } : {}),
          ...binding,
        });
        this.openedCamera = opened.device;
        return opened.health;
      });
    }
    const badge = devices.badge;
    if (badge) {
      const open: () => Promise<ReportSource> =
        this.options.badgeSource ??
        (badge.kind === 'hid'
          ? () => openHidSource(badge.target, { exclusive: badge.exclusive })
          : async () => {
              const transport = new SerialTransport({
                target: { path: badge.path },
                baudRate: 115_200,
                reconnect: false,
              });
              await transport.open();
              return new StreamReportSource(transport, 8);
            });
      const reader = new BadgeReader({
        open,
        ...(badge.kind === 'hid' && badge.mode !== 'keyboard' ? { decoder: new DataModeDecoder(badge.mode) } : {}),
      });
      this.reader = reader;
      this.port = new ReaderBadgePort(reader, this.options.subjectOfBadge, config.timeouts.badgeMs);
      await this.openDevice('badge', 'badge', async () => {
        await reader.open();
        return reader;
      });
    }
    await health.flushed();
  }

  /** No more tries at opening missing devices (the kiosk is closing). */
  stopReopening(): void {
    for (const loop of this.reopening) loop.stop();
  }

  async close(): Promise<void> {
    this.stopReopening();
    await this.openedSensor?.close().catch(() => undefined);
    await this.openedCamera?.close().catch(() => undefined);
    await this.reader?.close().catch(() => undefined);
  }

  /** Declares the device, then opens it; a device missing at start is tried again with the `reopen` backoff. */
  private async openDevice(id: string, kind: DeviceKind, open: () => Promise<HealthSource>): Promise<void> {
    const { registry, health } = this.options;
    registry.declare(id, kind);
    let first = true;
    const attempt = async (): Promise<void> => {
      try {
        registry.attach(id, await open());
      } catch (error) {
        // Logged once, as it stood at start (disconnected); the registry reports the rest.
        const declared = registry.health(id);
        if (first && declared) health.observe(declared);
        first = false;
        this.options.logger.warn({ err: error, device: kind }, 'device not available; trying again');
        throw error;
      }
    };
    const loop = new RetryLoop(this.options.reopen ?? REOPEN, attempt);
    this.reopening.add(loop);
    await attempt().catch(() => {
      loop.schedule();
    });
  }
}
