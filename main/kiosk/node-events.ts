// What the kiosk's replication node reports (net/replicator.ts events) as log records: its own faults, refused
// input, and what it found wrong with a peer's log while witnessing it (which also goes to HQ in the heartbeat,
// net/witness-reports.ts). Routine events (entries taken, checkpoints cosigned) are not logged.
import { type ReplicationEvent } from '../../net/replicator.ts';
import { reportFor } from '../../net/witness-reports.ts';
import type { Logger } from '../../runtime/logger.ts';

export function logNodeEvent(logger: Logger, event: ReplicationEvent, now: number): void {
  const report = reportFor(event, now);
  if (report)
    logger.error(
      { peer: report.origin, finding: report.kind, evidence: report.evidence },
      `${report.summary} (reported to HQ)`,
    );
  else if (event.kind === 'fault') logger.error({ reason: event.reason }, 'replication fault');
  else if (event.kind === 'bad-message')
    logger.warn({ topic: event.topic, reason: event.reason }, 'refused a malformed message');
}
