// Where a breach alert's time goes (bench/scale.bench.ts): each probe check-in is timed at every step of its path
// at HQ, from its signing to its message's arrival at HQ's MQTT link (the broker's delivery), the store call that
// holds it (grouping, the store's slots), the store call's return (commit), the `entries` event that pokes the breach watcher,
// the watcher's reader reading its row, the alert's delivery (the `breach-alert` event) and its arrival on the
// dashboard's SSE stream. The reader's queries are counted too (a pass reads every log's size, then rows).
import { decodeLeaf } from '../core/entry.ts';
import type { EntryRow } from '../ledger/store.ts';
import type { BreachAlert } from '../net/hq/breach-alert.ts';
import type { HqService } from '../net/hq/hq-service.ts';
import { percentile } from './report.ts';

/** The steps after signing, in path order. */
export const STEPS = ['arrived', 'store call', 'commit', 'announced', 'read', 'delivered', 'screen'] as const;
export type Step = (typeof STEPS)[number];

export class AlertTrace {
  /** Per probe subject, when it reached each step. */
  private readonly at = new Map<string, Map<Step, number>>();
  /** The probe kiosk's check-ins by seq: the rows and events name entries, the alerts name people. */
  private readonly subjectOf = new Map<number, string>();
  /** Reader queries since the last take: size lists and row reads. */
  queries = { sizes: 0, rows: 0 };

  constructor(private readonly origin: string) {}

  /** Watches HQ's `entries` and `breach-alert` events. */
  watch(hq: HqService): void {
    hq.events.on('entries', ({ origin, size, inserted }) => {
      if (origin !== this.origin) return;
      for (let seq = size - inserted; seq < size; seq++) this.note(this.subjectOf.get(seq), 'announced');
    });
    hq.events.on('breach-alert', (alert: BreachAlert) => {
      this.note(alert.subject, 'delivered');
    });
  }

  /** HQ's link handed these leaves' message to the replicator, a store call took them, or it committed them. */
  leaves(origin: string, leaves: readonly Uint8Array[], step: 'arrived' | 'store call' | 'commit', at?: number): void {
    if (origin !== this.origin) return;
    for (const leaf of leaves) {
      const { body } = decodeLeaf(leaf);
      const subject = (body.payload as { subject?: unknown }).subject;
      if (body.type !== 'checkin' || typeof subject !== 'string') continue;
      this.subjectOf.set(body.seq, subject);
      this.note(subject, step, at);
    }
  }

  /** The reader read these rows of each log, in one query. */
  read(logs: readonly { readonly origin: string; readonly rows: readonly EntryRow[] }[]): void {
    this.queries.rows++;
    for (const { origin, rows } of logs)
      if (origin === this.origin) for (const row of rows) this.note(this.subjectOf.get(row.seq), 'read');
  }

  /** Its arrival on the screen (the SSE stream). */
  screen(subject: string, at: number): void {
    this.note(subject, 'screen', at);
  }

  /** When `subject` reached `step`, if it did. */
  when(subject: string, step: Step): number | undefined {
    return this.at.get(subject)?.get(step);
  }

  /** Per step, the p50 and p99 of the time from the step before it (signing for the first), over `subjects`. */
  split(subjects: readonly string[], signed: ReadonlyMap<string, number>): { step: Step; p50: number; p99: number }[] {
    return STEPS.map((step, i) => {
      const spans = subjects
        .flatMap((s) => {
          const steps = this.at.get(s);
          const from = i === 0 ? signed.get(s) : steps?.get(STEPS[i - 1] as Step);
          const to = steps?.get(step);
          return from === undefined || to === undefined ? [] : [to - from];
        })
        .sort((a, b) => a - b);
      return { step, p50: percentile(spans, 50), p99: percentile(spans, 99) };
    });
  }

  /** The reader's queries since the last call, and starts counting again. */
  take(): { sizes: number; rows: number } {
    const counted = this.queries;
    this.queries = { sizes: 0, rows: 0 };
    return counted;
  }

  private note(subject: string | undefined, step: Step, at = Date.now()): void {
    if (subject === undefined) return;
    let steps = this.at.get(subject);
    if (!steps) this.at.set(subject, (steps = new Map<Step, number>()));
    if (!steps.has(step)) steps.set(step, at);
  }
}
