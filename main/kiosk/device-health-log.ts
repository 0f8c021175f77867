// Device-health entries: whenever a device of this kiosk changes state (ok, degraded, disconnected, failing), a
// signed `device-health` entry says so, with the driver's fault code. The breach engine's fairness rule reads
// them: an outage at a person's centre during their window excuses them. At start, each device's state is
// compared with the last one on the log, so a device that broke while the kiosk was off is still reported.
import type { DeviceHealth, DeviceKind, DeviceState } from '../../core/device-health.ts';
import type { EntryType, Payload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { parseDeviceHealth } from '../../core/records/device-health-record.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';

export interface HealthLogOptions {
  readonly centre: string;
  readonly kiosk: string;
  readonly append: (type: EntryType, payload: Payload) => Promise<unknown>;
  /** A write that failed (the log is the one thing that must not): reported, and retried on the next change. */
  readonly onError: (error: unknown) => void;
}

export class DeviceHealthLog {
  private readonly logged = new Map<DeviceKind, DeviceState>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: HealthLogOptions) {}

  /** The last state the log holds for each device of this kiosk. */
  restore(records: readonly LogRecord[]): void {
    for (const r of records) {
      if (r.type !== 'device-health') continue;
      try {
        const h = parseDeviceHealth(r.payload);
        if (h.kiosk === this.options.kiosk && h.device !== 'kiosk') this.logged.set(h.device, h.state);
      } catch (error) {
        // An entry that does not parse says nothing about the devices; the next change is written anyway.
        if (!(error instanceof MusterError)) throw error;
      }
    }
  }

  /** Writes an entry when the device's state differs from the last one written (in order, one at a time). */
  observe(health: DeviceHealth): void {
    if (this.logged.get(health.kind) === health.state) return;
    this.logged.set(health.kind, health.state);
    const { centre, kiosk } = this.options;
    const payload: Payload = {
      centre,
      kiosk,
      device: health.kind,
      state: health.state,
      since: health.since,
      ...(health.state !== 'ok' && health.lastError ? { fault: health.lastError.code } : {}),
    };
    this.chain = this.chain.then(async () => {
      try {
        await this.options.append('device-health', payload);
      } catch (error) {
        this.logged.delete(health.kind);
        this.options.onError(error);
      }
    });
  }

  /** Resolves once every observed change is on the log. */
  flushed(): Promise<void> {
    return this.chain;
  }
}
