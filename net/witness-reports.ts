// What a kiosk finds wrong with its peers' logs while witnessing them (a fork, a rollback, two entries signed for
// one seq, entries that fail verification) must reach HQ even when HQ never saw the contradicting checkpoint: a
// peer can show a split view to one kiosk only. The kiosk keeps each finding as a standing report and carries
// the reports in its signed heartbeat (retained, re-sent every period, so HQ gets them after any outage); HQ raises
// each as an alert about the peer, naming the kiosk that reported it. A kiosk that lies can raise alerts and no
// more: they say who reported them, and a fork's evidence is the peer's own signed checkpoints.
import { checkOrigin } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';
import { type Alert, alertFor, centerOf } from './alerts.ts';
import type { ReplicationEvent } from './replication-context.ts';

export interface WitnessReport {
  readonly kind: 'fork' | 'rollback' | 'equivocation' | 'forgery';
  /** The peer log it is about. */
  readonly origin: string;
  /** Kiosk clock when found. */
  readonly at: number;
  readonly summary: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

const KINDS: readonly string[] = ['fork', 'rollback', 'equivocation', 'forgery'];
/** Standing reports a heartbeat carries: the newest per (kind, log), at most this many. */
export const MAX_REPORTS = 8;
/** A report's evidence as JSON, at most: two signed checkpoints and a reason fit easily. */
const MAX_EVIDENCE_CHARS = 4096;

/** The report a replication event makes, if it is a finding about a peer's log. */
export function reportFor(event: ReplicationEvent, at: number): WitnessReport | undefined {
  const alert = alertFor(event, at);
  if (!alert || !KINDS.includes(alert.kind)) return undefined;
  return {
    kind: alert.kind as WitnessReport['kind'],
    origin: alert.kiosk,
    at,
    summary: alert.summary.slice(0, 500),
    evidence: boundedEvidence(alert.evidence),
  };
}

/** A kiosk's standing reports: the newest per (kind, log), the oldest dropped beyond MAX_REPORTS. */
export class WitnessReports {
  private readonly reports = new Map<string, WitnessReport>();

  /** Keeps a report; true when it is news (a kind and log not reported yet). */
  add(report: WitnessReport): boolean {
    const key = `${report.kind} ${report.origin}`;
    const news = !this.reports.has(key);
    this.reports.delete(key);
    this.reports.set(key, report);
    for (const old of this.reports.keys()) {
      if (this.reports.size <= MAX_REPORTS) break;
      this.reports.delete(old);
    }
    return news;
  }

  list(): WitnessReport[] {
    return [...this.reports.values()];
  }
}

/** A heartbeat's `witnessed` field, checked: a malformed one refuses the whole heartbeat. */
export function parseWitnessReports(value: unknown): WitnessReport[] {
  if (!Array.isArray(value) || value.length > MAX_REPORTS)
    throw new MusterError('bad-message', `heartbeat witnessed must be a list of at most ${MAX_REPORTS} reports`);
  return value.map((item: unknown) => {
    const r = item as Partial<Record<keyof WitnessReport, unknown>> | null;
    const evidence = r?.evidence;
    if (
      typeof r?.kind !== 'string' ||
      !KINDS.includes(r.kind) ||
      !isOrigin(r.origin) ||
      typeof r.summary !== 'string' ||
      r.summary.length > 500 ||
      typeof r.at !== 'number' ||
      !Number.isSafeInteger(r.at) ||
      r.at < 0 ||
      typeof evidence !== 'object' ||
      evidence === null ||
      Array.isArray(evidence) ||
      JSON.stringify(evidence).length > MAX_EVIDENCE_CHARS
    ) {
      throw new MusterError(
        'bad-message',
        'heartbeat witness report needs a known kind, origin, at, summary and bounded evidence',
      );
    }
    return {
      kind: r.kind as WitnessReport['kind'],
      origin: r.origin,
      at: r.at,
      summary: r.summary,
      evidence: evidence as Record<string, unknown>,
    };
  });
}

/** HQ's alert for a kiosk's report: about the peer's log, naming the kiosk that reported it. */
export function reportedAlert(reporter: string, report: WitnessReport, at: number): Alert {
  return {
    kind: report.kind,
    kiosk: report.origin,
    center: centerOf(report.origin),
    at,
    summary: `reported by ${reporter} while witnessing: ${report.summary}`,
    evidence: { ...report.evidence, reportedBy: reporter, reportedAt: report.at },
  };
}

function isOrigin(value: unknown): value is string {
  try {
    checkOrigin(value);
    return true;
  } catch {
    return false;
  }
}

function boundedEvidence(evidence: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (JSON.stringify(evidence).length <= MAX_EVIDENCE_CHARS) return { ...evidence };
  const reason = typeof evidence.reason === 'string' ? evidence.reason.slice(0, 1000) : undefined;
  return { truncated: true, ...(reason === undefined ? {} : { reason }) };
}
