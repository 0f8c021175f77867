// The kiosk's replication node reports through its logger: its faults and what it finds wrong with a peer's log
// are error records (the finding also goes to HQ), refused input a warning, routine events nothing.
import { describe, expect, it } from 'vitest';
import { logNodeEvent } from '../../main/kiosk/node-events.ts';
import { MemoryLog } from '../../runtime/logger.ts';

describe('logNodeEvent', () => {
  it('logs faults, findings about peers and refused input; routine events stay quiet', () => {
    const memory = new MemoryLog();
    logNodeEvent(memory.logger, { kind: 'fault', reason: 'group commit failed: SQLITE_FULL' }, 1);
    logNodeEvent(
      memory.logger,
      { kind: 'fork', origin: 'c1/k1', evidence: { note: 'c1/k1\n4\n…', reason: 'two roots for size 4' } },
      2,
    );
    logNodeEvent(memory.logger, { kind: 'bad-message', topic: 'muster/v1/log/c1~k1/entries', reason: 'not CBOR' }, 3);
    logNodeEvent(memory.logger, { kind: 'ingested', origin: 'c1/k1', inserted: 3, size: 4, source: 'live' }, 4);
    logNodeEvent(memory.logger, { kind: 'cosigned', origin: 'c1/k1', size: 4, note: 'n' }, 5);
    expect(memory.records.map((r) => [r.level, r.msg])).toEqual([
      ['error', 'replication fault'],
      ['error', 'c1/k1: log forked: two roots for size 4 (reported to HQ)'],
      ['warn', 'refused a malformed message'],
    ]);
    expect(memory.records[0]).toMatchObject({ reason: 'group commit failed: SQLITE_FULL' });
    expect(memory.records[1]).toMatchObject({
      peer: 'c1/k1',
      finding: 'fork',
      evidence: { reason: 'two roots for size 4' },
    });
  });
});
