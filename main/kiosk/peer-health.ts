// The other kiosks of the centre as their signed heartbeats report them (net/kiosk-node.ts verifies each under the
// peer's log key): every peer the configuration names, with its devices, when it was last heard from, and whether
// that is too long ago to trust (stale: the states shown may no longer hold).
import { EventEmitter } from 'node:events';
import { DEFAULT_FLEET_POLICY, type Heartbeat } from '../../net/heartbeat.ts';

export interface PeerKiosk {
  readonly kiosk: string;
  /** As the last heartbeat reported them; empty when none came. */
  readonly devices: Heartbeat['devices'];
  /** The last heartbeat's signed time, never later than its arrival; null when none came. */
  readonly lastSeen: number | null;
  readonly stale: boolean;
}

export class PeerHealth {
  private readonly beats = new Map<string, { readonly heartbeat: Heartbeat; readonly receivedAt: number }>();
  private readonly events = new EventEmitter<{ changed: [] }>();

  constructor(
    private readonly peers: readonly string[],
    private readonly clock: () => number,
    /** No heartbeat for this long: stale (HQ calls such a kiosk offline after as long). */
    private readonly staleAfterMs = DEFAULT_FLEET_POLICY.offlineAfterMs,
  ) {}

  /** A verified heartbeat of a peer; an older one than held (retained, replayed, reordered) changes nothing. */
  receive(heartbeat: Heartbeat): void {
    if (!this.peers.includes(heartbeat.kiosk)) return;
    const held = this.beats.get(heartbeat.kiosk);
    if (held && held.heartbeat.at >= heartbeat.at) return;
    this.beats.set(heartbeat.kiosk, { heartbeat, receivedAt: this.clock() });
    this.events.emit('changed');
  }

  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  list(): PeerKiosk[] {
    const now = this.clock();
    return this.peers.map((kiosk) => {
      const beat = this.beats.get(kiosk);
      if (!beat) return { kiosk, devices: [], lastSeen: null, stale: true };
      const lastSeen = Math.min(beat.heartbeat.at, beat.receivedAt);
      return { kiosk, devices: beat.heartbeat.devices, lastSeen, stale: now - lastSeen > this.staleAfterMs };
    });
  }
}
