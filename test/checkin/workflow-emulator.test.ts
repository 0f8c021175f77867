// The check-in end to end against the R30x fingerprint emulator in process (real driver, transport and
// frames), with a fake camera: the sensor's page maps to a subject, the check-in lands on a real signed log,
// and a sensor that stops answering becomes a logged device fault and the badge + face fallback.
import { afterEach, describe, expect, it } from 'vitest';
import { computeBreaches } from '../../core/breach/engine.ts';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import { CheckinWorkflow } from '../../main/kiosk/checkin-workflow.ts';
import { sensorFingerprintPort } from '../../main/kiosk/fingerprint-port.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { verifyReceipt } from '../../main/kiosk/receipt.ts';
import { readVerifierFile } from '../../ledger/keys.ts';
import { type R30xRig, mockR30xRig } from '../drivers/support/r30x-rig.ts';
import { fakePorts, type Script } from './support/fake-ports.ts';
import { kioskLog, tempDir } from './support/kiosk-log.ts';
import { at, planPayload } from './support/log-builder.ts';

const NY = 'America/New_York';
const rigs: R30xRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function setup(script: Script) {
  const rig = await mockR30xRig();
  rigs.push(rig);
  rig.emulator.enrolDirect('alice-right-index', 7);
  rig.emulator.enrolDirect('bob-left-thumb', 8);
  const kiosk = kioskLog(tempDir(), 'centre-a/k1', at('2026-03-01 12:00', NY));
  await kiosk.writer.append('plan', planPayload({ subject: 's-alice', start: '2026-03-02' }));
  kiosk.now = at('2026-03-02 09:30', NY);
  const fakes = fakePorts(kiosk.writer, script);
  const table = new Map([
    [7, 's-alice'],
    [8, 's-bob'],
  ]);
  const ports = {
    ...fakes.ports,
    fingerprint: sensorFingerprintPort(rig.sensor, { subjectOf: (page) => table.get(page), fingerTimeoutMs: 200 }),
  };
  const workflow = new CheckinWorkflow(ports, {
    centre: 'centre-a',
    kiosk: 'centre-a/k1',
    mode: 'fingerprint-search',
    newAttemptId: () => 'att-1',
  });
  return { rig, kiosk, workflow, shown: fakes.shown };
}

describe('check-in against the R30x emulator', () => {
  it('the enrolled finger identifies the person; the receipt verifies; no breach', async () => {
    const { rig, kiosk, workflow } = await setup({ face: [{ kind: 'match', score: 0.3 }] });
    rig.place({ kind: 'finger', name: 'alice-right-index' });
    const outcome = await workflow.run();
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(verifyReceipt(outcome.receipt, readVerifierFile(kiosk.pub))).toMatchObject({ ok: true });
    const report = computeBreaches(readLogRecords(kiosk.store).records, at('2026-03-02 23:00', NY));
    expect(report.breaches).toEqual([]);
  });

  it('an unknown finger is retried, then the badge takes over', async () => {
    const { rig, workflow, shown } = await setup({
      badge: [{ kind: 'known', subject: 's-alice' }],
      face: [{ kind: 'match', score: 0.3 }],
    });
    rig.place({ kind: 'finger', name: 'mallory' });
    const outcome = await workflow.run();
    expect(outcome.ok).toBe(true);
    expect(shown.slice(0, 4)).toEqual(['place-finger', 'finger-again', 'finger-again', 'finger-unread-badge']);
  });

  it('a sensor unplugged mid-day is a device fault: logged, and badge + face checks the person in', async () => {
    const { rig, kiosk, workflow } = await setup({
      badge: [{ kind: 'known', subject: 's-alice' }],
      face: [{ kind: 'match', score: 0.3 }],
    });
    rig.emulator.unplug();
    rig.place({ kind: 'finger', name: 'alice-right-index' });
    const outcome = await workflow.run();
    expect(outcome.ok).toBe(true);
    const attempts = readLogRecords(kiosk.store)
      .records.filter((r) => r.type === 'checkin-attempt')
      .map((r) => {
        const a = parseCheckinAttempt(r.payload);
        return `${a.method}/${a.outcome}`;
      });
    expect(attempts).toEqual(['fingerprint/device-down', 'badge/matched', 'face/matched']);
  });
});
