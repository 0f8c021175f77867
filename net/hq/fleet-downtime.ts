// Kiosk downtime as HQ saw it from heartbeats: spans when a kiosk was offline (from its last heartbeat on) or
// degraded. A kiosk that cannot reach HQ may still be checking people in, and one that is down cannot: either way
// HQ cannot tell a missed check-in from a kiosk fault, so the breach watcher makes such a finding a staff review.
// Every span and its end are stored (HqStore.recordDowntime, in order), and `load` reads them back at start: a
// kiosk silent when HQ stopped is still down after the restart until a heartbeat shows it back, so a window that
// closed meanwhile is judged against the silence.
import type { Logger } from '../../runtime/logger.ts';
import { centerOf } from '../alerts.ts';
import type { DowntimeSpan, KioskDowntime } from './breach-watcher.ts';
import type { FleetEntry } from './hq-service.ts';
import type { HqStore, StoredDowntime } from './hq-store.ts';

type Span = { from: number; to: number; note: string };

export class FleetDowntime implements KioskDowntime {
  private readonly spans = new Map<string, Span[]>();
  private writes: Promise<void> = Promise.resolve();

  /**
   * `since`: when this node started watching; a heartbeat gap from before then, not already stored as a span, is
   * HQ's own downtime as much as the kiosk's, so it counts from `since`. `store`: where spans are kept.
   */
  constructor(
    private readonly since: number,
    private readonly store?: { readonly log: Logger; readonly spans: Pick<HqStore, 'recordDowntime' | 'downtime'> },
  ) {}

  /** Reads the stored spans (those still open stay open). */
  async load(): Promise<void> {
    for (const row of (await this.store?.spans.downtime()) ?? []) {
      const list = this.spans.get(row.kiosk) ?? [];
      list.push({ from: row.from, to: row.to ?? Infinity, note: row.note });
      this.spans.set(row.kiosk, list);
    }
  }

  /** Notes a kiosk's new state at HQ time `now`; returns whether its downtime changed. */
  note(entry: FleetEntry, now: number): boolean {
    const list = this.spans.get(entry.kiosk) ?? [];
    this.spans.set(entry.kiosk, list);
    const open = list.at(-1)?.to === Infinity ? list.at(-1) : undefined;
    if (entry.state === 'online') {
      if (!open) return false;
      open.to = Math.max(open.from, now);
      this.save(entry.kiosk, open);
      return true;
    }
    if (open) return false;
    // Offline means silent since the last heartbeat: the kiosk may have been unusable from then on. A kiosk never
    // heard from says nothing either way (HQ just started, or its first signed heartbeat is still to come): its
    // own device-health entries are the evidence then.
    if (entry.state === 'offline' && entry.lastHeartbeatAt === undefined) return false;
    const from = entry.state === 'offline' ? Math.max(entry.lastHeartbeatAt ?? now, this.since) : now;
    const span = { from, to: Infinity, note: `${entry.kiosk} ${entry.state} (${entry.reasons.join('; ')})` };
    list.push(span);
    this.save(entry.kiosk, span);
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

  /** Resolves once every change noted so far is stored (or its failure logged). */
  flushed(): Promise<void> {
    return this.writes;
  }

  /** Stores a span, after the writes before it: its opening never lands after its end. */
  private save(kiosk: string, span: Span): void {
    const store = this.store;
    if (!store) return;
    const row: StoredDowntime = { kiosk, from: span.from, to: span.to === Infinity ? null : span.to, note: span.note };
    this.writes = this.writes
      .then(() => store.spans.recordDowntime(row))
      .catch((error: unknown) => {
        store.log.error(
          { err: error, kiosk, from: row.from },
          'kiosk downtime not stored: after a restart HQ judges this span from heartbeats again',
        );
      });
  }
}
