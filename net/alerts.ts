// Alerts HQ publishes on muster/v1/alerts/<center> (JSON, QoS 1) for other systems (dashboards, the police):
// each names the kiosk and carries its evidence, so a receiver can check it without trusting HQ.
import { MusterError } from '../core/errors.ts';
import type { ReplicationEvent } from './replicator.ts';

/** `security`: something refused as an attack (a log or kiosk HQ never registered, ...), naming who did it where known. */
export type AlertKind =
  'breach' | 'equivocation' | 'rollback' | 'fork' | 'forgery' | 'offline' | 'degraded' | 'security';

export interface Alert {
  readonly kind: AlertKind;
  /** The kiosk (log origin) the alert is about. */
  readonly kiosk: string;
  readonly center: string;
  /** HQ clock, milliseconds since the epoch. */
  readonly at: number;
  readonly summary: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** A stored alert with its position in HQ's alert log. */
export interface StoredAlert extends Alert {
  readonly id: number;
}

/** Origins are `<center>/<kiosk>`: the first segment names the center whose alert topic gets the alert. */
export function centerOf(origin: string): string {
  const center = origin.split('/')[0];
  if (!center) throw new MusterError('bad-origin', `origin ${JSON.stringify(origin)} names no center`);
  return center;
}

/** The alert a replication event raises, if any. */
export function alertFor(event: ReplicationEvent, at: number): Alert | undefined {
  switch (event.kind) {
    case 'rollback':
    case 'fork':
      return {
        kind: event.kind,
        kiosk: event.origin,
        center: centerOf(event.origin),
        at,
        summary: `${event.origin}: ${event.kind === 'rollback' ? 'log rolled back' : 'log forked'}: ${event.evidence.reason}`,
        evidence: { ...event.evidence },
      };
    case 'equivocation':
      return {
        kind: 'equivocation',
        kiosk: event.origin,
        center: centerOf(event.origin),
        at,
        summary: `${event.origin} signed two different entries at seq ${event.seqs.join(', ')}`,
        evidence: { seqs: event.seqs, source: event.source, note: 'both entries are kept in the conflicts table' },
      };
    case 'rejected':
      return {
        kind: 'forgery',
        kiosk: event.origin,
        center: centerOf(event.origin),
        at,
        summary: `${event.rejected.length} entries for ${event.origin} failed verification and were not stored`,
        evidence: { rejected: event.rejected.slice(0, 20), source: event.source },
      };
    case 'unregistered':
      return {
        kind: 'security',
        kiosk: event.origin,
        center: centerOf(event.origin),
        at,
        summary: `entries of ${event.origin}, a log the registry does not list, were refused (published by ${event.publisher ?? 'a node the broker does not name on an inbox'})`,
        evidence: { origin: event.origin, source: event.source, publisher: event.publisher ?? null },
      };
    default:
      return undefined;
  }
}
