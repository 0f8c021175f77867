// The headless demo day, end to end: two kiosk runtimes on emulated devices (R30x sensor, VC0706 camera serving
// faces cut from @vladmandic/face-api's sample photos, badge reader), the real face worker, a real broker, HQ
// and the breach engine. Its outcome is the scripted one, exactly: the clock steps to each scripted moment, so
// machine load cannot change it. Face descriptors for enrolment are cached on disk (node_modules/.cache/muster);
// the check-ins' face checks run for real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoCenter, type DemoSummary } from '../../main/demo/demo-center.ts';
import { KIOSKS } from '../../main/demo/scripted-day.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { topicId } from '../../net/topics.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-demo-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('muster demo --headless', () => {
  it(
    'plays the scripted day and every node ends with the same logs and the same findings',
    // Each face try takes the challenge's four frames: 226 s at load 23 here.
    { timeout: 600_000 },
    async () => {
      const lines: string[] = [];
      const center = await DemoCenter.start({
        dataDir: dir,
        fresh: true,
        people: 8,
        day: '2026-12-01',
        durationS: 3,
        httpPort: 0,
        mqttPort: 0,
        say: (l) => lines.push(l),
      });
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
      expect(summary.excused).toEqual([
        { rule: 'missed-checkin', subject: 'p-0006', reason: 'excused by staff-07: medical' },
      ]);
      // The face that failed (three tries, the workflow's limit) is for staff to review: the missed day, the
      // suspected impersonation and the repeated failures. None of it is a breach by itself.
      expect(summary.reviews).toEqual([
        { reason: 'verification-failed', subject: 'p-0005', status: 'pending' },
        { reason: 'suspected-impersonation', subject: 'p-0005', status: 'pending' },
        { reason: 'repeated-failed-verification', subject: 'p-0005', status: 'pending' },
      ]);
      expect(summary.problems).toBe(0);
      expect(summary.breachesAgreeOnEveryNode).toBe(true);
      expect(summary.alerts).toBe(2);
      expect(summary.replication.allRootsMatchHq).toBe(true);
      expect(summary.replication.kiosks).toEqual({
        // genesis, 3 device-health (devices in service), 8 enrolments, then kiosk-1: 8 plans, 3 check-ins of
        // 3 entries (finger, face, check-in), p-0005's 4 attempts and the excuse; kiosk-2: 2 check-ins.
        'centre-01/kiosk-1': { size: 34, hqSize: 34, rootMatchesHq: true },
        'centre-01/kiosk-2': { size: 18, hqSize: 18, rootMatchesHq: true },
      });
      expect(summary.replication.catchUpMs).toBeGreaterThanOrEqual(0);
      // Every visitor's face was checked by the face worker: 5 check-ins and p-0005's 3 tries.
      expect(summary.faceChecks.count).toBe(8);
      expect(lines).toContain(
        "09:10 centre-01/kiosk-1: p-0005's finger matches, but someone else's face is before the camera: not checked in: see-staff",
      );
      expect(lines).toContain('09:45 centre-01/kiosk-2: network back; catching up from its log');
      // Every check-in above passed the active challenge: the demo kiosks ask each person to blink.
      for (const kiosk of KIOSKS)
        expect(loadKioskConfig(join(dir, `${topicId(kiosk)}.json`)).face.challenge).toBe('blink');
    },
  );
});
