// Kiosk downtime as HQ saw it from heartbeats: spans when a kiosk was offline (from its last heartbeat on) or
// degraded. A kiosk that cannot reach HQ may still be checking people in, and one that is down cannot: either way
// HQ cannot tell a missed check-in from a kiosk fault, so the breach watcher makes such a finding a staff review.
// Kept in memory: after a restart HQ judges downtime again from the heartbeats that follow.
import { centerOf } from '../alerts.ts';
import type { DowntimeSpan, KioskDowntime } from './breach-watcher.ts';
import type { FleetEntry } from './hq-service.ts';

export class FleetDowntime implements KioskDowntime {
  private readonly spans = new Map<string, { from: number; to: number; note: string }[]>();

  /** `since`: when this node started watching; a heartbeat gap from before then is HQ's own downtime, not the kiosk's. */
  constructor(private readonly since: number) {}

  /** Notes a kiosk's new state at HQ time `now`; returns whether its downtime changed. */
  note(entry: FleetEntry, now: number): boolean {
    const list = this.spans.get(entry.kiosk) ?? [];
    this.spans.set(entry.kiosk, list);
    const open = list.at(-1)?.to === Infinity ? list.at(-1) : undefined;
    if (entry.state === 'online') {
      if (!open) return false;
      open.to = now;
      return true;
    }
    if (open) return false;
    // Offline means silent since the last heartbeat: the kiosk may have been unusable from then on. A kiosk never
    // heard from says nothing either way (HQ just started, or its first signed heartbeat is still to come): its
    // own device-health entries are the evidence then.
    if (entry.state === 'offline' && entry.lastHeartbeatAt === undefined) return false;
    const from = entry.state === 'offline' ? Math.max(entry.lastHeartbeatAt ?? now, this.since) : now;
    list.push({ from, to: Infinity, note: `${entry.kiosk} ${entry.state} (${entry.reasons.join('; ')})` });
    return true;
  }

  during(centres: readonly string[], from: number, to: number): DowntimeSpan[] {
    const found: DowntimeSpan[] = [];
    for (const [kiosk, list] of this.spans) {
      if (!centres.includes(centerOf(kiosk))) continue;
      for (const s of list) if (s.from < to && s.to > from) found.push({ kiosk, ...s });
    }
    return found;
  }
}
