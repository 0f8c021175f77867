// The check-in trace (main/kiosk/checkin-trace.ts) the kiosk bench reads: a kiosk runtime on emulated devices
// with the real face worker, one check-in with a subscriber, one after it stopped listening.
import { describe, expect, it } from 'vitest';
import { type CheckinSpan, collectSpans } from '../../main/kiosk/checkin-trace.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { at } from '../checkin/support/log-builder.ts';
import { enrolPerson, kioskFixture } from '../helpers/kiosk-fixture.ts';

const fixture = kioskFixture(1);

describe('the check-in trace', () => {
  it(
    'gives each step of a check-in its span, in order, and the log appends one each; nothing once nobody listens',
    {
      timeout: 180_000,
    },
    async () => {
      const dir = fixture.tempDir('muster-trace-');
      const emulated = inProcessDevices(`tr${Math.random().toString(36).slice(2)}`);
      fixture.cleanup(() => emulated.close());
      const config = loadKioskConfig(
        fixture.configFile(dir, { devices: emulated.devices, timeouts: { fingerMs: 20_000, badgeMs: 5000 } }),
      );
      const runtime = await KioskRuntime.start({
        config,
        face: fixture.face,
        clock: () => at('2026-03-02 09:30', 'UTC'),
        ...(emulated.inProcess ?? {}),
        screen: { guide: () => undefined, tasks: (_subject, due) => Promise.resolve(due.map((t) => ({ task: t.id }))) },
      });
      fixture.cleanup(() => runtime.close());
      const person = await enrolPerson(runtime, emulated, fixture.faces, { finger: 'p-1 thumb', card: 'c-1' });
      emulated.camera.setFrames([person.checkinFrame]);

      const checkIn = async (): Promise<void> => {
        const before = runtime.ledger.head(config.kiosk).size;
        emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 thumb' };
        expect((await runtime.checkIn()).ok).toBe(true);
        emulated.fingerprint.finger = { kind: 'none' };
        expect(runtime.ledger.head(config.kiosk).size).toBeGreaterThan(before);
      };

      const stop = collectSpans();
      const size = runtime.ledger.head(config.kiosk).size;
      await checkIn();
      const spans = stop();
      const steps = spans.map((s) => (s.step === 'log-append' ? `log-append ${String(s.detail?.type)}` : s.step));
      // The frame taken ahead (camera, analysis) runs beside the fingerprint step; the rest follow one another.
      const order = (step: string): number => steps.indexOf(step);
      expect(order('fingerprint')).toBeLessThan(order('log-append checkin-attempt'));
      expect(steps.filter((s) => s === 'log-append checkin-attempt')).toHaveLength(2);
      expect(order('face-ahead-wait')).toBeLessThan(steps.lastIndexOf('log-append checkin-attempt'));
      expect(steps.lastIndexOf('log-append checkin-attempt')).toBeLessThan(order('tasks'));
      expect(order('tasks')).toBeLessThan(order('log-append checkin'));
      expect(order('log-append checkin')).toBeLessThan(order('receipt-build'));
      const ahead = spans.find((s) => s.step === 'camera');
      expect(ahead?.detail).toEqual({ ahead: 1 });
      const analysis = spans.find((s): s is CheckinSpan => s.step === 'face-analysis');
      expect(analysis?.detail).toMatchObject({ usable: 'usable' });
      expect(Number(analysis?.detail?.inferenceMs)).toBeGreaterThan(0);
      // Every attempt and check-in the session appended is a span, in the log's order.
      const appended = spans.filter((s) => s.step === 'log-append');
      const records = readLogRecords(runtime.ledger).records.filter(
        (r) => r.ref.origin === config.kiosk && r.ref.seq >= size && r.type.startsWith('checkin'),
      );
      expect(appended.map((s) => s.detail?.type)).toEqual(records.map((r) => r.type));
      expect(records.map((r) => r.type)).toEqual(['checkin-attempt', 'checkin-attempt', 'checkin']);
      for (const span of spans) expect(span.end).toBeGreaterThanOrEqual(span.start);

      // Once the subscriber left, a check-in publishes nothing to it.
      await checkIn();
      expect(spans).toHaveLength(steps.length);
    },
  );
});
