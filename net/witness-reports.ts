// What a kiosk finds wrong with its peers' logs while witnessing them (a fork, a rollback, two entries signed for
// one seq, entries that fail verification) must reach HQ even when HQ never saw the contradicting checkpoint: a
// peer can show a split view to one kiosk only. The kiosk keeps each finding as a standing report and carries
// the reports in its signed heartbeat (retained, re-sent every period, so HQ gets them after any outage); HQ raises
// each as an alert about the peer, naming the kiosk that reported it. A kiosk that lies can raise alerts and no
// more: they say who reported them, and a fork's evidence is the peer's own signed checkpoints.
import { anything, int, list, matching, oneOf, openObj, record, text } from '../core/api/check.ts';
import { ORIGIN_PATTERN } from '../core/entry.ts';
import { type Decoded, SchemaMismatch, decodedAs, guard } from '../core/schema.ts';
import { type Alert, alertFor, centerOf } from './alerts.ts';
import type { ReplicationEvent } from './replication-context.ts';

const KIND = oneOf(['fork', 'rollback', 'equivocation', 'forgery']);
const isKind = guard(KIND);
/** Standing reports a heartbeat carries: the newest per (kind, log), at most this many. */
export const MAX_REPORTS = 8;
/** A report's evidence as JSON, at most: two signed checkpoints and a reason fit easily. */
const MAX_EVIDENCE_CHARS = 4096;

const WITNESS_REPORT = openObj({
  kind: KIND,
  /** The peer log it is about. */
  origin: matching(ORIGIN_PATTERN, 'a log origin'),
  /** Kiosk clock when found. */
  at: int(),
  summary: text(0, 500),
  evidence: decodedAs(record(anything), (evidence) => {
    if (JSON.stringify(evidence).length > MAX_EVIDENCE_CHARS)
      throw new SchemaMismatch('', `expected at most ${MAX_EVIDENCE_CHARS} characters of JSON`);
    return evidence;
  }),
});

export type WitnessReport = Decoded<typeof WITNESS_REPORT>;

/** A heartbeat's `witnessed` field: a malformed one refuses the whole heartbeat. */
export const WITNESS_REPORTS = list(WITNESS_REPORT, MAX_REPORTS);

/** The report a replication event makes, if it is a finding about a peer's log. */
export function reportFor(event: ReplicationEvent, at: number): WitnessReport | undefined {
  const alert = alertFor(event, at);
  if (!alert || !isKind(alert.kind)) return undefined;
  return {
    kind: alert.kind,
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

function boundedEvidence(evidence: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (JSON.stringify(evidence).length <= MAX_EVIDENCE_CHARS) return { ...evidence };
  const reason = typeof evidence.reason === 'string' ? evidence.reason.slice(0, 1000) : undefined;
  return { truncated: true, ...(reason === undefined ? {} : { reason }) };
}
