// GT-511C3: codec golden vectors (SparkFun FPS_GT511C3 packets), decoder properties, and driver specifics beyond
// the shared contract: NACK mapping, the on/off LED, a template the module rejects.
import { once } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import {
  GT511_ACK,
  GT511_MAX_DATA,
  Gt511Command,
  Gt511Decoder,
  encodeGt511Data,
  encodeGt511Packet,
} from '../../drivers/fingerprint/gt511-codec.ts';
import { type Gt511Rig, gt511Rig } from './support/gt511-rig.ts';

const SEED = 20261129;
const hex = (spaced: string): string => spaced.replaceAll(' ', '');

describe('GT-511 codec golden vectors', () => {
  const cases: ReadonlyArray<readonly [string, Uint8Array, string]> = [
    // 55 AA | device 0001 (LE) | param 00000000 | command 0001 Open | checksum 0101 (LE)
    ['Open', encodeGt511Packet(Gt511Command.open), '55 aa 01 00 00 00 00 00 01 00 01 01'],
    // CmosLed on: param 1
    ['CmosLed on', encodeGt511Packet(Gt511Command.cmosLed, 1), '55 aa 01 00 01 00 00 00 12 00 13 01'],
    // Identify 1:N
    ['Identify', encodeGt511Packet(Gt511Command.identify), '55 aa 01 00 00 00 00 00 51 00 51 01'],
    // ACK with param 5 (e.g. the id found)
    ['ACK id 5', encodeGt511Packet(GT511_ACK, 5), '55 aa 01 00 05 00 00 00 30 00 35 01'],
    // data packet 5A A5 0001, 3 bytes, checksum 0x5a+0xa5+0x01+0x00+1+2+3 = 0x0106
    ['data 01 02 03', encodeGt511Data(Uint8Array.of(1, 2, 3)), '5a a5 01 00 01 02 03 06 01'],
  ];
  for (const [name, bytes, expected] of cases) {
    it(name, () => {
      expect(toHex(bytes)).toBe(hex(expected));
    });
  }

  it('decodes a response and, when told to, the data packet after it; resyncs after noise', () => {
    const decoder = new Gt511Decoder();
    decoder.expectData(3);
    const items = decoder.push(fromHex(hex('ff 55 aa 01 00 00 00 00 00 30 00 30 01 5a a5 01 00 01 02 03 06 01')));
    expect(items.map((i) => ('frame' in i ? i.frame.kind : i.error.code))).toEqual(['device.noise', 'packet', 'data']);
  });

  it('rejects a bad checksum', () => {
    const items = new Gt511Decoder().push(fromHex(hex('55 aa 01 00 00 00 00 00 30 00 31 01')));
    expect(items.map((i) => ('frame' in i ? i.frame.kind : i.error.code))).toContain('device.bad-checksum');
  });
});

describe('GT-511 decoder properties (fast-check, fixed seed)', () => {
  it('never throws and stays bounded on any bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.boolean()), { maxLength: 20 }), (steps) => {
        const decoder = new Gt511Decoder();
        for (const [bytes, arm] of steps) {
          if (arm) decoder.expectData(64);
          for (const item of decoder.push(bytes)) if ('error' in item) expect(item.error).toBeInstanceOf(DeviceError);
          expect(decoder.buffered).toBeLessThanOrEqual(6 + GT511_MAX_DATA);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('round-trips packets however they are split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.nat()), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (packets, cut) => {
          const bytes = Uint8Array.from(packets.flatMap(([code, param]) => [...encodeGt511Packet(code, param)]));
          const at = cut % (bytes.length + 1);
          const decoder = new Gt511Decoder();
          const out = [...decoder.push(bytes.subarray(0, at)), ...decoder.push(bytes.subarray(at))];
          expect(
            out.flatMap((o) => ('frame' in o && o.frame.kind === 'packet' ? [[o.frame.code, o.frame.param]] : [])),
          ).toEqual(packets.map(([c, p]) => [c, p >>> 0]));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('GT-511 driver specifics', () => {
  let rig: Gt511Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('has an on/off LED only, and switches it on to capture', async () => {
    rig = await gt511Rig('mock');
    await expect(rig.sensor.setLed({ mode: 'breathing', colour: 'blue' })).rejects.toMatchObject({
      code: 'device.unsupported',
    });
    await rig.sensor.setLed({ mode: 'off' });
    rig.place({ kind: 'finger', name: 'alice' });
    expect(await rig.sensor.fingerPresent()).toBe(true);
    expect(rig.emulator.ledOn).toBe(true);
  });

  it('maps NACKs: already enrolled, not enrolled, bad template data', async () => {
    rig = await gt511Rig('mock');
    rig.emulator.enrolDirect('bob', 4);
    await expect(rig.sensor.enrol(4, { fingerTimeoutMs: 0 })).rejects.toMatchObject({
      code: 'fingerprint.bad-id',
      deviceCode: 0x1005,
    });
    await expect(rig.sensor.exportTemplate(5)).rejects.toMatchObject({
      code: 'fingerprint.bad-id',
      deviceCode: 0x1004,
    });
    await expect(
      rig.sensor.importTemplate(6, { format: 'gt511-498', bytes: new Uint8Array(498) }),
    ).rejects.toMatchObject({ code: 'fingerprint.bad-template' });
    expect(await rig.sensor.ids()).toEqual([4]);
  });

  it('powers up again after a replug: Open re-sent, LED back on for the next capture', async () => {
    rig = await gt511Rig('mock');
    rig.emulator.enrolDirect('erin', 9);
    rig.place({ kind: 'finger', name: 'erin' });
    expect((await rig.sensor.identify({ fingerTimeoutMs: 0 })).id).toBe(9);
    const up = once(rig.channel, 'connected');
    rig.emulator.unplug();
    rig.emulator.replug();
    await up;
    expect(rig.emulator.ledOn).toBe(false);
    expect((await rig.sensor.identify({ fingerTimeoutMs: 0 })).id).toBe(9);
  });

  it('fails an enrolment whose captures are different fingers', async () => {
    rig = await gt511Rig('mock');
    const fingers = ['carol', 'carol', 'dave'];
    const r = rig;
    await expect(
      r.sensor.enrol(1, {
        fingerTimeoutMs: 0,
        onStep: (step) => {
          r.place(
            step.action === 'lift' ? { kind: 'none' } : { kind: 'finger', name: fingers[step.capture - 1] ?? 'x' },
          );
        },
      }),
    ).rejects.toMatchObject({ code: 'fingerprint.merge-failed' });
    expect(await r.sensor.count()).toBe(0);
  });
});
