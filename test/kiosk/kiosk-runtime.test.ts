// The kiosk runtime end to end: real drivers over the emulators (in process, and on socat PTYs opened by path
// from the configuration file), the real face worker on faces from @vladmandic/face-api's demo photos, real
// signed logs and an embedded broker. Checks that the configured face threshold is the one in force, that
// device changes become device-health entries, and that the fallbacks check people in.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAccessRecord, parseErasureRecord } from '../../core/access/access-records.ts';
import type { Role } from '../../core/access/roles.ts';
import type { Caller } from '../../core/api/api.ts';
import type { Timeline } from '../../core/api/staff-api.ts';
import { computeBreaches } from '../../core/breach/engine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import { parseDeviceHealth } from '../../core/records/device-health-record.ts';
import type { ReportSource } from '../../drivers/badge/report-source.ts';
import { parseSealedTemplate } from '../../face/template.ts';
import { type EmulatedDevices, inProcessDevices, ptyDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { verifyReceipt } from '../../main/kiosk/receipt.ts';
import { ApiService } from '../../main/web/api-service.ts';
import { StaffBackend } from '../../main/web/staff-backend.ts';
import { at } from '../checkin/support/log-builder.ts';
import { checkinAttempts, enrolPerson, kioskFixture } from '../helpers/kiosk-fixture.ts';
import { waitFor } from '../helpers/wait-for.ts';

const NY = 'America/New_York';
const CARD = '0004711';
const fixture = kioskFixture(2);

interface Setup {
  readonly threshold?: number;
  readonly emulated?: EmulatedDevices;
  readonly devices?: (d: Record<string, unknown>) => Record<string, unknown>;
  readonly onGuide?: (g: GuidanceCode, e: EmulatedDevices) => void;
  readonly staff?: string;
  /** The badge reader is missing for its first `n` opens, then plugged in. */
  readonly badgeMissingFor?: number;
  /** Restart on an earlier kiosk's data and devices. */
  readonly again?: { readonly dir: string; readonly emulated: EmulatedDevices };
}

async function kiosk(setup: Setup = {}) {
  const dir = setup.again?.dir ?? fixture.tempDir('muster-kiosk-');
  const emulated =
    setup.again?.emulated ?? setup.emulated ?? inProcessDevices(`k${Math.random().toString(36).slice(2)}`);
  if (!setup.again) fixture.cleanup(() => emulated.close());
  const file = fixture.configFile(dir, {
    ...(setup.threshold === undefined ? {} : { face: { threshold: setup.threshold } }),
    devices: setup.devices ? setup.devices(emulated.devices) : emulated.devices,
  });
  const clock = { now: at('2026-03-02 09:30', NY) };
  const guidance: GuidanceCode[] = [];
  const runtime = await KioskRuntime.start({
    config: loadKioskConfig(file),
    face: fixture.face,
    clock: () => clock.now,
    ...(emulated.inProcess ?? {}),
    ...(setup.badgeMissingFor === undefined || !emulated.inProcess
      ? {}
      : { badgeSource: missingFor(setup.badgeMissingFor, emulated.inProcess.badgeSource) }),
    screen: {
      guide: (g) => {
        guidance.push(g);
        setup.onGuide?.(g, emulated);
      },
      tasks: (_subject, due) => Promise.resolve(due.map((t) => ({ task: t.id }))),
    },
    ...(setup.staff === undefined
      ? {}
      : { staff: { confirm: () => Promise.resolve({ kind: 'confirmed', staff: setup.staff ?? '' } as const) } }),
    reopen:
      setup.badgeMissingFor === undefined
        ? { initialMs: 60_000, maxMs: 60_000, jitter: 0 }
        : { initialMs: 20, maxMs: 200 },
  });
  fixture.cleanup(() => runtime.close());
  if (setup.again) return { runtime, emulated, dir, guidance, records: () => readLogRecords(runtime.ledger).records };
  const person = await enrolPerson(runtime, emulated, fixture.faces, { finger: 'p-1 right index', card: CARD });
  emulated.camera.setFrames([person.checkinFrame]);
  return { runtime, emulated, dir, guidance, records: () => readLogRecords(runtime.ledger).records };
}

function health(records: ReturnType<typeof readLogRecords>['records']): string[] {
  return records
    .filter((r) => r.type === 'device-health')
    .map((r) => {
      const h = parseDeviceHealth(r.payload);
      return `${h.device} ${h.state}${h.fault ? ` ${h.fault}` : ''}`;
    });
}

describe('kiosk runtime on emulated devices', () => {
  it(
    'finger and face check the person in; the receipt verifies; devices and enrolment are on the log, biometrics are not',
    { timeout: 60_000 },
    async () => {
      const { runtime, emulated, dir, records } = await kiosk();
      emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 right index' };
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(verifyReceipt(outcome.receipt)).toMatchObject({ ok: true });
      const all = records();
      expect(checkinAttempts(all)).toEqual(['fingerprint/matched', 'face/matched']);
      const checkin = all.find((r) => r.type === 'checkin');
      expect(checkin?.payload).toMatchObject({
        subject: 'p-1',
        methods: ['fingerprint', 'face'],
        tasks: [{ task: 't-study' }],
      });
      expect(checkin?.payload.faceScore).toBeLessThan(0.55);
      expect(health(all)).toEqual(['fingerprint ok', 'camera ok', 'badge ok']);
      // The heartbeat reports the face engine beside the devices, with the backend it runs on.
      expect(runtime.fleetDevices().at(-1)).toEqual({
        id: `face/${fixture.face.health.backend}/${fixture.face.health.detector}`,
        state: 'ok',
      });
      expect(fixture.face.health.backend).toBe('wasm');
      // The log names the enrolment and its template's commitment, never the template.
      const enrolment = all.find((r) => r.type === 'enrolment');
      const sealed = parseSealedTemplate(readFileSync(join(dir, 'data', 'face-templates', 'p-1.json'), 'utf8'));
      expect(enrolment?.payload).toEqual({
        subject: 'p-1',
        centre: 'centre-a',
        kiosk: 'centre-a/k1',
        methods: ['fingerprint', 'badge', 'face'],
        faceCommitment: sealed.commitment,
      });
      expect(statSync(join(dir, 'data', 'secrets', 'centre-key')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'data', 'enrolment.json'), 'utf8')).not.toContain(CARD);
      expect(JSON.stringify(all.map((r) => r.payload))).not.toContain('Pat Example');
      // The template is sealed under the person's data key: erasing the person leaves it unreadable.
      expect(runtime.enrolments.template('p-1')).toBeDefined();
      await runtime.personal.erase('p-1', 'request', 'staff-1');
      expect(runtime.enrolments.template('p-1')).toBeUndefined();
      expect(computeBreaches(all, at('2026-03-02 23:00', NY)).breaches).toEqual([]);
    },
  );

  it(
    'staff enrol a newcomer at the kiosk (finger twice, three camera frames), who then checks in',
    { timeout: 90_000 },
    async () => {
      const { runtime, emulated, records } = await kiosk();
      const newcomer = fixture.faces.faces[1];
      if (!newcomer) throw new Error('a second demo face is needed');
      emulated.camera.setFrames([newcomer.checkinFrame]);
      const finger = { kind: 'finger', name: 'p-2 left thumb' } as const;
      const result = await runtime.enrolAtKiosk('p-2', {
        onStep: (step) => {
          emulated.fingerprint.finger = step.action === 'lift' ? { kind: 'none' } : finger;
        },
      });
      expect(result).toMatchObject({
        ok: true,
        message: expect.stringContaining('p-2 enrolled (sensor page 4') as string,
      });
      expect(
        records()
          .filter((r) => r.type === 'enrolment')
          .map((r) => r.payload.subject),
      ).toEqual(['p-1', 'p-2']);
      emulated.fingerprint.finger = finger;
      const outcome = await runtime.checkIn();
      expect(outcome.ok && outcome.receipt.proof.entry.length > 0).toBe(true);
      expect(records().find((r) => r.type === 'checkin')?.payload).toMatchObject({
        subject: 'p-2',
        methods: ['fingerprint', 'face'],
      });
    },
  );

  it(
    're-enrolling a person needs a second person: refused alone, then an entry naming both and marked a re-enrolment',
    { timeout: 60_000 },
    async () => {
      const { runtime, records } = await kiosk();
      const [person] = fixture.faces.faces;
      if (!person) throw new Error('no demo face');
      const again = { subject: 'p-1', page: 3, descriptors: person.descriptors };
      await expect(runtime.enrol({ ...again, by: { staff: 'sam' } })).rejects.toMatchObject({
        code: 'approval-required',
      });
      await expect(runtime.enrol({ ...again, by: { staff: 'sam', approvedBy: 'sam' } })).rejects.toMatchObject({
        code: 'approval-required',
      });
      await expect(runtime.enrol(again)).rejects.toMatchObject({ code: 'approval-required' });
      expect(records().filter((r) => r.type === 'enrolment')).toHaveLength(1);
      await runtime.enrol({ ...again, by: { staff: 'sam', approvedBy: 'olga' } });
      await runtime.enrol({
        subject: 'p-9',
        page: 9,
        name: 'Nine Example',
        descriptors: person.descriptors,
        by: { staff: 'sam' },
      });
      expect(
        records()
          .filter((r) => r.type === 'enrolment')
          .map((r) => r.payload)
          .slice(1),
      ).toEqual([
        {
          subject: 'p-1',
          centre: 'centre-a',
          kiosk: 'centre-a/k1',
          methods: ['fingerprint', 'face'],
          faceCommitment: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
          staff: 'sam',
          replaces: true,
          approvedBy: 'olga',
        },
        {
          subject: 'p-9',
          centre: 'centre-a',
          kiosk: 'centre-a/k1',
          methods: ['fingerprint', 'face'],
          faceCommitment: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
          staff: 'sam',
        },
      ]);
    },
  );

  it('the face threshold in force is the one in the configuration file', { timeout: 60_000 }, async () => {
    // The same person and frames as above, but a threshold far stricter than any real face distance.
    const { runtime, emulated, records } = await kiosk({ threshold: 0.05 });
    expect(runtime.faceThreshold).toBe(0.05);
    emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 right index' };
    const outcome = await runtime.checkIn();
    expect(outcome.ok).toBe(false);
    const all = records();
    expect(checkinAttempts(all)).toEqual(['fingerprint/matched', 'face/mismatch', 'face/mismatch', 'face/mismatch']);
    const scores = all
      .filter((r) => r.type === 'checkin-attempt')
      .map((r) => parseCheckinAttempt(r.payload))
      .filter((a) => a.method === 'face')
      .map((a) => a.score ?? 0);
    for (const s of scores) {
      expect(s).toBeGreaterThanOrEqual(0.05);
      expect(s).toBeLessThan(0.55);
    }
    // A rejected face is for staff to review, never a breach by itself.
    const report = computeBreaches(all, at('2026-03-02 23:00', NY));
    expect(report.breaches).toEqual([]);
    expect(report.reviews.map((r) => r.reason)).toContain('suspected-impersonation');
  });

  it(
    "a face mismatch's frames are kept sealed for staff review: the attempt carries their commitment, staff of the centre and officers see them beside the enrolment photo, each view logged first, erased with the person",
    { timeout: 60_000 },
    async () => {
      const { runtime, emulated, dir, records } = await kiosk({ threshold: 0.05 });
      const [person] = fixture.faces.faces;
      if (!person) throw new Error('no demo face');
      emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 right index' };
      expect((await runtime.checkIn()).ok).toBe(false);
      const captures = records()
        .filter((r) => r.type === 'checkin-attempt')
        .map((r) => parseCheckinAttempt(r.payload))
        .filter((a) => a.method === 'face')
        .map((a) => a.capture);
      expect(captures).toHaveLength(3);
      for (const c of captures) expect(c).toMatch(/^[0-9a-f]{64}$/);
      expect(new Set(captures).size).toBe(3);

      const staff = new StaffBackend({
        centre: 'centre-a',
        kiosk: 'centre-a/k1',
        store: runtime.ledger,
        append: (type, payload) => runtime.append(type, payload),
        clock: () => at('2026-03-02 09:31', NY),
        zone: NY,
        personal: runtime.personal,
      });
      fixture.cleanup(() => {
        staff.close();
      });
      const api = new ApiService([staff]);
      const as = (role: Role, user: string, centres: readonly string[] = []): Caller => ({
        principal: { user, role, centres, ...(role === 'parolee' ? { subject: 'p-1' } : {}) },
        kioskScreen: false,
      });
      const history = (await api.call(
        { method: 'staff.history', params: { subject: 'p-1' } },
        as('officer', 'olga'),
      )) as Timeline;
      const item = history.reviews.find((r) => r.rule === 'suspected-impersonation');
      if (!item) throw new Error('no suspected-impersonation review');
      const review = (subject: string, caller: Caller): Promise<unknown> =>
        api.call({ method: 'staff.faceReview', params: { subject, item: item.id } }, caller);
      const accessEntries = () =>
        records()
          .filter((r) => r.type === 'access')
          .map((r) => parseAccessRecord(r.payload));

      // Refused before anything is read or logged: the police, auditors, the person, staff of another centre.
      for (const caller of [
        as('police', 'pat'),
        as('auditor', 'aud'),
        as('parolee', 'p-1'),
        as('staff', 'bea', ['centre-b']),
      ])
        await expect(review('p-1', caller)).rejects.toMatchObject({ code: 'forbidden' });
      expect(accessEntries()).toEqual([]);

      const url = `data:image/jpeg;base64,${Buffer.from(person.checkinFrame).toString('base64')}`;
      const seen = (await review('p-1', as('staff', 'sam', ['centre-a']))) as {
        enrolled: string | null;
        captures: { at: number; kiosk: string; score: number | null; frames: string[] }[];
      };
      expect(seen.enrolled).toBe(url);
      expect(seen.captures).toHaveLength(3);
      for (const c of seen.captures) {
        expect(c.kiosk).toBe('centre-a/k1');
        expect(c.frames.length).toBeGreaterThan(0);
        // The camera's own JPEGs, as it gave them to the face worker.
        for (const f of c.frames) expect(f).toMatch(/^data:image\/jpeg;base64,\/9j\//);
      }
      expect(accessEntries()).toEqual([
        {
          subject: 'p-1',
          centre: 'centre-a',
          by: 'sam',
          role: 'staff',
          fields: ['faceCapture', 'photo'],
          reason: 'face review on the staff screen',
        },
      ]);
      await review('p-1', as('officer', 'olga'));
      expect(accessEntries().map((a) => a.by)).toEqual(['sam', 'olga']);

      // No frame on the log, and none in clear anywhere in the kiosk's data directory.
      const frame = Buffer.from(seen.captures[0]?.frames[0]?.split(',')[1] ?? '', 'base64');
      const probes = [frame.subarray(200, 264), Buffer.from(person.checkinFrame.subarray(200, 264))];
      for (const r of records()) expect(JSON.stringify(r.payload)).not.toContain('data:image');
      const seq = await runtime.personal.erase('p-1', 'request', 'sam');
      const erasure = records().find((r) => r.ref.seq === seq);
      expect(erasure?.type).toBe('erasure');
      expect(parseErasureRecord(erasure?.payload).fields).toContain('faceCapture');
      // Gone: staff get the answer they get for a person not theirs, an officer that there is nobody.
      await expect(review('p-1', as('staff', 'sam', ['centre-a']))).rejects.toMatchObject({ code: 'forbidden' });
      await expect(review('p-1', as('officer', 'olga'))).rejects.toMatchObject({ code: 'no-person' });
      await runtime.close();
      const data = join(dir, 'data');
      for (const file of readdirSync(data)) {
        const path = join(data, file);
        if (statSync(path).isFile())
          for (const probe of probes) expect(readFileSync(path).includes(probe), file).toBe(false);
      }
    },
  );

  it(
    'a sensor unplugged is logged as disconnected; badge + face check the person in; the replug is logged as ok',
    { timeout: 60_000 },
    async () => {
      const { runtime, emulated, records } = await kiosk({
        onGuide: (g, e) => {
          if (g === 'finger-badge-instead') e.badge.tap(CARD);
        },
      });
      emulated.fingerprint.unplug();
      await waitFor(
        () => runtime.devices().find((d) => d.kind === 'fingerprint')?.state === 'disconnected',
        'the registry to see the unplug',
      );
      await runtime.healthLogged();
      expect(health(records()).at(-1)).toBe('fingerprint disconnected device.disconnected');
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(true);
      expect(checkinAttempts(records())).toEqual(['badge/matched', 'face/matched']);
      emulated.fingerprint.replug();
      await waitFor(
        () => runtime.devices().find((d) => d.kind === 'fingerprint')?.state === 'ok',
        'the sensor to reconnect',
      );
      await runtime.healthLogged();
      expect(health(records()).slice(-2)).toEqual(['fingerprint disconnected device.disconnected', 'fingerprint ok']);
    },
  );

  it(
    'a restart with the same devices writes no new device-health entries; a device that changed while off is reported',
    { timeout: 60_000 },
    async () => {
      const first = await kiosk();
      await first.runtime.close();
      const again = await kiosk({ again: { dir: first.dir, emulated: first.emulated } });
      expect(health(again.records())).toEqual(['fingerprint ok', 'camera ok', 'badge ok']);
      await again.runtime.close();
      first.emulated.camera.unplug();
      const third = await kiosk({ again: { dir: first.dir, emulated: first.emulated } });
      expect(health(third.records())).toEqual(['fingerprint ok', 'camera ok', 'badge ok', 'camera disconnected']);
    },
  );

  it(
    'a camera missing at start is logged as disconnected, and fingerprint + staff check the person in',
    { timeout: 60_000 },
    async () => {
      const { runtime, emulated, records } = await kiosk({
        devices: (d) => ({ ...d, camera: { path: '/dev/serial/by-id/usb-no-such-camera' } }),
        staff: 'staff-3',
      });
      expect(health(records())).toEqual(['fingerprint ok', 'camera disconnected', 'badge ok']);
      emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 right index' };
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(true);
      expect(checkinAttempts(records())).toEqual(['fingerprint/matched', 'staff/matched']);
    },
  );

  it(
    'a badge reader missing at start is tried again (runtime/retry.ts backoff) until it is plugged in; the log says disconnected, then ok',
    { timeout: 60_000 },
    async () => {
      const { runtime, records } = await kiosk({ badgeMissingFor: 3 });
      await waitFor(
        () => runtime.devices().find((d) => d.kind === 'badge')?.state === 'ok',
        'the badge reader to come into service',
      );
      await runtime.healthLogged();
      expect(health(records())).toEqual(['fingerprint ok', 'camera ok', 'badge disconnected', 'badge ok']);
    },
  );

  it('on socat PTYs, opened by path from the configuration like real devices', { timeout: 90_000 }, async () => {
    const emulated = await ptyDevices();
    const { runtime, records } = await kiosk({ emulated });
    emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 right index' };
    const outcome = await runtime.checkIn();
    expect(outcome.ok).toBe(true);
    expect(checkinAttempts(records())).toEqual(['fingerprint/matched', 'face/matched']);
    expect(health(records())).toEqual(['fingerprint ok', 'camera ok', 'badge ok']);
  });
});

/** A source that fails its first `n` opens (the device not plugged in yet), then opens `open`'s. */
function missingFor(n: number, open: () => Promise<ReportSource>): () => Promise<ReportSource> {
  let tries = 0;
  return () => (++tries <= n ? Promise.reject(new Error(`no badge reader (try ${tries})`)) : open());
}
