// The headless demo day, end to end: real kiosks, a real broker, HQ, the breach engine. Its outcome is the
// scripted one, exactly: the clock steps to each scripted moment, so machine load cannot change it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoCenter, type DemoSummary } from '../../main/demo/demo-center.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-demo-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('muster demo --headless', () => {
  it('plays the scripted day and every node ends with the same logs and the same findings', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const center = await DemoCenter.start({ dataDir: dir, fresh: true, people: 8, day: '2026-12-01', durationS: 3, httpPort: 0, mqttPort: 0, say: (l) => lines.push(l) });
    let summary: DemoSummary;
    try {
      summary = await center.runDay();
    } finally {
      await center.close();
    }
    expect(summary.checkins).toEqual(['p-0001', 'p-0002', 'p-0003', 'p-0007', 'p-0008']);
    expect(summary.breaches.map((b) => `${b.rule} ${b.subject}`)).toEqual([
      'late-checkin p-0003',
      'missed-checkin p-0004',
    ]);
    expect(summary.excused).toEqual([{ rule: 'missed-checkin', subject: 'p-0006', reason: 'excused by staff-07: hospital appointment, letter seen' }]);
    // The face that failed is a staff review item (missed day and suspected impersonation), never a breach by itself.
    expect(summary.reviews).toEqual([
      { reason: 'verification-failed', subject: 'p-0005', status: 'pending' },
      { reason: 'suspected-impersonation', subject: 'p-0005', status: 'pending' },
    ]);
    expect(summary.problems).toBe(0);
    expect(summary.breachesAgreeOnEveryNode).toBe(true);
    expect(summary.alerts).toBe(2);
    expect(summary.replication.allRootsMatchHq).toBe(true);
    expect(summary.replication.kiosks).toEqual({
      'centre-01/kiosk-1': { size: 23, hqSize: 23, rootMatchesHq: true },
      'centre-01/kiosk-2': { size: 7, hqSize: 7, rootMatchesHq: true },
    });
    expect(summary.replication.catchUpMs).toBeGreaterThanOrEqual(0);
    expect(lines).toContain('09:45 centre-01/kiosk-2: network back; catching up from its log');
  });
});
