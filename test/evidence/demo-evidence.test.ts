// The headless demo's missed check-in (p-0004) and late check-in (p-0003), exported with `muster evidence
// export` from the demo's own stores (HQ's, with both kiosks' for their checkpoints, HQ's witness key cosigning)
// and verified with `muster evidence verify`, trusting HQ's witness key and then nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoCenter } from '../../main/demo/demo-center.ts';
import { runMuster } from '../helpers/run-muster.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-demo-evidence-'));
const out = mkdtempSync(join(tmpdir(), 'muster-evidence-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

beforeAll(async () => {
  const center = await DemoCenter.start({
    dataDir: dir,
    fresh: true,
    people: 8,
    day: '2026-12-01',
    durationS: 3,
    httpPort: 0,
    mqttPort: 0,
    say: () => undefined,
  });
  try {
    await center.runDay();
  } finally {
    await center.close();
  }
  // The demo day's face tries take the blink challenge's four frames each: minutes on a loaded machine.
}, 600_000);

const stores = (): string[] => [
  '--db',
  join(dir, 'hq.db'),
  ...['1', '2'].flatMap((k) => ['--db', join(dir, `centre-01~kiosk-${k}`, `centre-01~kiosk-${k}.db`)]),
];

describe('evidence from the demo centre', () => {
  it.each([
    [
      'p-0004',
      'missed-checkin',
      'missed',
      'p-0004 did not check in at centre-01 on 1 Dec 2026 between 08:00 and 10:15 (Asia/Shanghai), nor late until 12:15.',
    ],
    ['p-0003', 'late-checkin', 'late', 'p-0003 checked in late at centre-01 on 1 Dec 2026: '],
  ])('%s (%s) exports and verifies', { timeout: 60_000 }, async (subject, rule, kind, summary) => {
    const file = join(out, `${subject}.json`);
    const exported = await runMuster([
      'evidence',
      'export',
      ...stores(),
      '--witness-key',
      join(dir, 'hq.db.witness.key'),
      '--subject',
      subject,
      '--day',
      '2026-12-01',
      '--rule',
      rule,
      '--out',
      file,
    ]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(new RegExp(`^${kind}: ${subject} on 2026-12-01; 2 kiosk log\\(s\\)`));

    const trusted = await runMuster(['evidence', 'verify', file, '--trust', join(dir, 'hq.db.witness.key.pub')]);
    expect(trusted.code).toBe(0);
    const lines = trusted.stdout.split('\n');
    expect(lines[0]?.startsWith(summary)).toBe(true);
    expect(lines[1]).toBe('2 kiosk log(s) complete for that period, witnessed by 1 party (hq).');
    expect(lines[2]).toMatch(
      /^Trusted because: centre-01\/kiosk-1: its checkpoint is cosigned by the trusted witness hq; centre-01\/kiosk-2: /,
    );

    const untrusted = await runMuster(['evidence', 'verify', file, '--lang', 'zh']);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stdout).toContain('注意：本文件只证明其自身前后一致');
  });
});
