// R30x driver behaviour beyond the contract: the bytes it sends, fault injection, timeouts, unplug and replug, the
// multi-packet template path and the request queue. Faults and the queue run on both links; unplug needs the
// in-process link because a PTY cannot signal one.
import { once } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import { R30xSensor } from '../../drivers/fingerprint/r30x-sensor.ts';
import { fingerTemplate } from '../../hardware/r30x-emulator.ts';
import { enrolFinger } from './support/fingerprint-contract.ts';
import { type R30xRig, mockR30xRig, ptyR30xRig } from './support/r30x-rig.ts';

const rigs: R30xRig[] = [];
async function track(rig: Promise<R30xRig>): Promise<R30xRig> {
  const r = await rig;
  rigs.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

const links = [
  ['in process', mockR30xRig],
  ['PTY', ptyR30xRig],
] as const;

for (const [link, make] of links) {
  describe(`R30x driver over ${link}`, () => {
    it('sends the standard frames (golden GenImg and Img2Tz)', async () => {
      const rig = await track(make());
      const received = vi.spyOn(rig.emulator, 'receive');
      rig.place({ kind: 'finger', name: 'alice' });
      await rig.sensor.genImg();
      await rig.sensor.img2Tz(1);
      expect(received.mock.calls.map(([bytes]) => toHex(bytes)).join('')).toBe(
        'ef01ffffffff010003010005' + 'ef01ffffffff01000402010008',
      );
    });

    it('surfaces a corrupted reply as device.bad-checksum, then carries on', async () => {
      const rig = await track(make());
      rig.emulator.inject('checksum');
      await expect(rig.sensor.templateCount()).rejects.toMatchObject({ code: 'device.bad-checksum' });
      expect(await rig.sensor.templateCount()).toBe(0);
    });

    it('skips stray bytes before a reply (and counts them as noise)', async () => {
      const rig = await track(make());
      const noise: DeviceError[] = [];
      rig.channel.on('noise', (e) => noise.push(e));
      rig.emulator.inject('stray');
      expect(await rig.sensor.templateCount()).toBe(0);
      expect(noise.length).toBeGreaterThan(0);
    });

    it('times out on a short reply or silence, and the next request is clean', async () => {
      const rig = await track(make({}, 150));
      rig.emulator.inject('short');
      await expect(rig.sensor.templateCount()).rejects.toMatchObject({ code: 'device.timeout' });
      rig.emulator.inject('silence');
      await expect(rig.sensor.templateCount()).rejects.toMatchObject({ code: 'device.timeout' });
      expect(await rig.sensor.templateCount()).toBe(0);
    });

    it('serialises concurrent requests so frames never interleave', async () => {
      const rig = await track(make());
      await enrolFinger(rig, 3, 'carol');
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 3 === 0 ? rig.sensor.templateCount() : i % 3 === 1 ? rig.sensor.ids() : rig.sensor.fingerPresent(),
        ),
      );
      results.forEach((r, i) => {
        expect(r).toEqual(i % 3 === 0 ? 1 : i % 3 === 1 ? [3] : false);
      });
    });

    it('moves a template in 32-byte packets to a sensor using 256-byte packets', async () => {
      const from = await track(make({ packetSizeCode: 0 }));
      const to = await track(make({ packetSizeCode: 3 }));
      expect(from.sensor.parameters.packetSize).toBe(32);
      await enrolFinger(from, 0, 'dave');
      const template = await from.sensor.exportTemplate(0);
      expect(template.bytes).toEqual(fingerTemplate('dave'));
      await to.sensor.importTemplate(42, template);
      expect(to.emulator.library.get(42)).toEqual(fingerTemplate('dave'));
    });
  });
}

describe('R30x driver specifics', () => {
  it('reads the system parameters and changes the packet size register', async () => {
    const rig = await track(mockR30xRig({ capacity: 300 }));
    expect(rig.sensor.parameters).toMatchObject({
      capacity: 300,
      packetSize: 128,
      baudRate: 57600,
      address: 0xffffffff,
      securityLevel: 3,
    });
    await rig.sensor.writeRegister(6, 1);
    expect(rig.sensor.parameters.packetSize).toBe(64);
    await enrolFinger(rig, 4, 'gina');
    expect((await rig.sensor.exportTemplate(4)).bytes).toEqual(fingerTemplate('gina'));
    await expect(rig.sensor.writeRegister(9, 1)).rejects.toMatchObject({
      code: 'fingerprint.rejected',
      deviceCode: 0x1a,
    });
  });

  it('refuses a wrong password at the handshake', async () => {
    const rig = await track(mockR30xRig());
    await expect(R30xSensor.connect(rig.channel, { password: 1234 })).rejects.toMatchObject({
      code: 'fingerprint.wrong-password',
    });
  });

  it('drives the Aura LED of an R503', async () => {
    const rig = await track(mockR30xRig({ model: 'R503' }));
    await rig.sensor.setLed({ mode: 'breathing', colour: 'purple' });
    expect(rig.emulator.led).toEqual([0x01, 0x80, 0x03, 0x00]);
  });

  it('matches the two char buffers (1:1)', async () => {
    const rig = await track(mockR30xRig());
    rig.place({ kind: 'finger', name: 'erin' });
    await rig.sensor.genImg();
    await rig.sensor.img2Tz(1);
    await rig.sensor.img2Tz(2);
    expect(await rig.sensor.match()).toBeGreaterThan(0);
  });

  it('fails requests while unplugged and recovers on a new port after replug', async () => {
    const rig = await track(mockR30xRig());
    await enrolFinger(rig, 7, 'frank');
    const down = once(rig.channel, 'disconnected');
    rig.emulator.inject('silence');
    const inFlight = rig.sensor.templateCount();
    rig.emulator.unplug();
    await down;
    await expect(inFlight).rejects.toMatchObject({ code: 'device.disconnected' });
    await expect(rig.sensor.templateCount()).rejects.toMatchObject({ code: 'device.disconnected' });
    const up = once(rig.channel, 'connected');
    const received = vi.spyOn(rig.emulator, 'receive');
    rig.emulator.replug();
    await up;
    expect(await rig.sensor.ids()).toEqual([7]);
    // The handshake ran again first: VfyPwd with password 0.
    expect(toHex(received.mock.calls[0]?.[0] ?? new Uint8Array())).toBe('ef01ffffffff010007130000000000' + '1b');
  });

  it('survives random line noise: every request ends in an answer or a typed error, never a crash or a hang', async () => {
    const rig = await track(mockR30xRig({}, 100));
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (noise) => {
        rig.emulator.emit('output', noise);
        const result = await rig.sensor.templateCount().then(
          (count) => count,
          (error: unknown) => error,
        );
        if (typeof result !== 'number') expect(result).toBeInstanceOf(DeviceError);
      }),
      { seed: 20261129, numRuns: 25 },
    );
    expect(await rig.sensor.templateCount()).toBe(0);
  });

  it('times out while waiting for a finger that never comes', async () => {
    const rig = await track(mockR30xRig());
    await expect(rig.sensor.identify({ fingerTimeoutMs: 5 })).rejects.toMatchObject({ code: 'fingerprint.no-finger' });
  });
});
