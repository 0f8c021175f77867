// Which devices this kiosk has and how each is doing. Drivers' channels (and the badge reader) report link state
// and per-request outcomes; the registry turns them into DeviceHealth snapshots (core/device-health.ts) and emits
// one on every change, for the check-in workflow (fall back when a device is down) and HQ's fleet view.
import { EventEmitter } from 'node:events';
import {
  type DeviceCounters,
  type DeviceFault,
  type DeviceHealth,
  type DeviceKind,
  FAILING_AFTER,
  deviceState,
} from '../core/device-health.ts';
import type { DeviceError } from './device-error.ts';
import type { Outcome } from './frame-channel.ts';

/** What a driver exposes for health: FrameChannel and BadgeReader both fit. */
export interface HealthSource {
  readonly connected: boolean;
  on(event: 'connected', listener: () => void): unknown;
  on(event: 'disconnected', listener: (error: DeviceError) => void): unknown;
  on(event: 'outcome', listener: (outcome: Outcome) => void): unknown;
}

export interface RegistryEvents {
  health: [DeviceHealth];
}

export interface RegistryOptions {
  readonly failingAfter?: number;
  readonly now?: () => number;
}

interface Tracked {
  health: DeviceHealth;
  connected: boolean;
  consecutiveFailures: number;
}

export class DeviceRegistry extends EventEmitter<RegistryEvents> {
  readonly #devices = new Map<string, Tracked>();
  readonly #failingAfter: number;
  readonly #now: () => number;

  constructor(options: RegistryOptions = {}) {
    super();
    this.#failingAfter = options.failingAfter ?? FAILING_AFTER;
    this.#now = options.now ?? Date.now;
  }

  /** A configured device, disconnected until a source is attached (a kiosk booting without its reader). */
  declare(id: string, kind: DeviceKind): void {
    if (this.#devices.has(id)) throw new TypeError(`id: device ${JSON.stringify(id)} is already registered`);
    const counters: DeviceCounters = { requests: 0, failures: 0, timeouts: 0, disconnects: 0 };
    this.#devices.set(id, {
      connected: false,
      consecutiveFailures: 0,
      health: { id, kind, state: 'disconnected', lastError: null, counters, since: this.#now() },
    });
  }

  attach(id: string, source: HealthSource): void {
    const device = this.#devices.get(id);
    if (!device) throw new TypeError(`id: no device ${JSON.stringify(id)} declared`);
    source.on('connected', () => {
      this.#update(device, { connected: true, consecutiveFailures: 0 });
    });
    source.on('disconnected', (error) => {
      this.#update(device, { connected: false, fault: error, count: { disconnects: 1 } });
    });
    source.on('outcome', (outcome) => {
      if (outcome.ok) this.#update(device, { consecutiveFailures: 0, count: { requests: 1 } });
      else {
        const timeout = outcome.error.code === 'device.timeout' ? 1 : 0;
        this.#update(device, {
          consecutiveFailures: device.consecutiveFailures + 1,
          fault: outcome.error,
          count: { requests: 1, failures: 1, timeouts: timeout },
        });
      }
    });
    this.#update(device, { connected: source.connected });
  }

  track(id: string, kind: DeviceKind, source: HealthSource): void {
    this.declare(id, kind);
    this.attach(id, source);
  }

  health(id: string): DeviceHealth | undefined {
    return this.#devices.get(id)?.health;
  }

  all(): DeviceHealth[] {
    return [...this.#devices.values()].map((d) => d.health);
  }

  #update(
    device: Tracked,
    change: { connected?: boolean; consecutiveFailures?: number; fault?: DeviceError; count?: Partial<DeviceCounters> },
  ): void {
    if (change.connected !== undefined) device.connected = change.connected;
    if (change.consecutiveFailures !== undefined) device.consecutiveFailures = change.consecutiveFailures;
    const previous = device.health;
    const state = deviceState(device.connected, device.consecutiveFailures, this.#failingAfter);
    const now = this.#now();
    const lastError: DeviceFault | null = change.fault
      ? { code: change.fault.code, message: change.fault.message, at: now }
      : previous.lastError;
    const c = previous.counters;
    const add = change.count ?? {};
    const counters: DeviceCounters = {
      requests: c.requests + (add.requests ?? 0),
      failures: c.failures + (add.failures ?? 0),
      timeouts: c.timeouts + (add.timeouts ?? 0),
      disconnects: c.disconnects + (add.disconnects ?? 0),
    };
    device.health = { ...previous, state, lastError, counters, since: state === previous.state ? previous.since : now };
    this.emit('health', device.health);
  }
}
