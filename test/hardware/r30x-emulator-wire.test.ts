// The R30x emulator speaks the standard protocol to any host library, not only ours: raw request frames as the
// Adafruit and pyfingerprint libraries send them, and the exact acknowledge bytes a real module returns.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import { R30xEmulator } from '../../hardware/r30x-emulator.ts';

/** Sends raw hex to a fresh (or given) emulator and returns everything it answers, as hex. */
async function converse(requests: readonly string[], emulator = new R30xEmulator()): Promise<string[]> {
  const replies: string[] = [];
  for (const request of requests) {
    const reply = new Promise<string>((resolve) =>
      emulator.once('output', (bytes) => {
        resolve(toHex(bytes));
      }),
    );
    emulator.receive(fromHex(request.replaceAll(' ', '')));
    replies.push(await reply);
  }
  return replies;
}

const hex = (spaced: string): string => spaced.replaceAll(' ', '');

describe('R30x emulator wire behaviour (golden)', () => {
  it('answers the handshake of Adafruit_Fingerprint.begin() / pyfingerprint', async () => {
    expect(await converse(['ef01 ffffffff 01 0007 13 00000000 001b', 'ef01 ffffffff 01 0003 0f 0013'])).toEqual([
      hex('ef01 ffffffff 07 0003 00 000a'), // VfyPwd: OK
      // ReadSysPara: status 0000, system id 0000, capacity 03E8, security 0003, address FFFFFFFF, packet size 0002 (128), baud 0006 (x9600)
      hex('ef01 ffffffff 07 0013 00 0000 0000 03e8 0003 ffffffff 0002 0006 050c'),
    ]);
  });

  it('reports no finger, then finds an enrolled one with HighSpeedSearch 0..A3', async () => {
    const emulator = new R30xEmulator();
    expect(await converse(['ef01 ffffffff 01 0003 01 0005'], emulator)).toEqual([hex('ef01 ffffffff 07 0003 02 000c')]);
    emulator.enrolDirect('alice', 0x21);
    emulator.finger = { kind: 'finger', name: 'alice' };
    const [genImg, img2Tz, search] = await converse(
      [
        'ef01 ffffffff 01 0003 01 0005',
        'ef01 ffffffff 01 0004 02 01 0008',
        'ef01 ffffffff 01 0008 1b 01 0000 00a3 00c8',
      ],
      emulator,
    );
    expect(genImg).toBe(hex('ef01 ffffffff 07 0003 00 000a'));
    expect(img2Tz).toBe(hex('ef01 ffffffff 07 0003 00 000a'));
    // confirmation 00, page 0021, a score, checksum: LEN 0007
    expect(search?.slice(0, 24)).toBe(hex('ef01 ffffffff 07 0007 00 0021'));
  });

  it('answers "not found" with zero page and score, and a corrupt request with "packet receive error"', async () => {
    const emulator = new R30xEmulator();
    emulator.finger = { kind: 'finger', name: 'nobody' };
    await converse(['ef01 ffffffff 01 0003 01 0005', 'ef01 ffffffff 01 0004 02 01 0008'], emulator);
    expect(
      await converse(['ef01 ffffffff 01 0008 04 01 0000 00a3 00b1', 'ef01 ffffffff 01 0003 01 0006'], emulator),
    ).toEqual([hex('ef01 ffffffff 07 0007 09 0000 0000 0017'), hex('ef01 ffffffff 07 0003 01 000b')]);
  });

  it('ignores frames for another address', async () => {
    const emulator = new R30xEmulator();
    let answered = false;
    emulator.on('output', () => {
      answered = true;
    });
    emulator.receive(fromHex(hex('ef01 12345678 01 0003 01 0005')));
    expect(await converse(['ef01 ffffffff 01 0003 1d 0021'], emulator)).toEqual([
      hex('ef01 ffffffff 07 0005 00 0000 000c'),
    ]);
    expect(answered).toBe(true); // only the TemplateNum reply above
  });

  it('uploads a template as an acknowledge then data packets at the packet size, the last with PID 08', async () => {
    const emulator = new R30xEmulator({ packetSizeCode: 0 });
    emulator.enrolDirect('bob', 1);
    await converse(['ef01 ffffffff 01 0006 07 01 0001 0010'], emulator); // LoadChar buffer 1, page 1
    const [upload] = await converse(['ef01 ffffffff 01 0004 08 01 000e'], emulator);
    const bytes = fromHex(upload ?? '');
    expect(toHex(bytes.subarray(0, 12))).toBe(hex('ef01 ffffffff 07 0003 00 000a'));
    const packets = (bytes.length - 12) / (11 + 32);
    expect(packets).toBe(16);
    expect(bytes[12 + 15 * 43 + 6]).toBe(0x08);
    expect(bytes[12 + 14 * 43 + 6]).toBe(0x02);
  });
});
