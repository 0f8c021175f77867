// FrameChannel on a scripted byte link with fake timers: timeouts fire without waiting, transactions queue in
// order, a corrupt frame fails the receive at once (even when it arrived first), and a disconnect fails it too.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ByteLink, ByteLinkEvents } from '../../drivers/byte-link.ts';
import { linkError } from '../../drivers/device-error.ts';
import { FrameChannel, type Outcome } from '../../drivers/frame-channel.ts';
import type { Decoded, FrameDecoder } from '../../drivers/frame-decoder.ts';

/** One byte is one frame; 0xEE is a corrupt frame, 0x00 noise. */
class ByteDecoder implements FrameDecoder<number> {
  readonly buffered = 0;
  resets = 0;
  reset(): void {
    this.resets++;
  }
  push(chunk: Uint8Array): Decoded<number>[] {
    return [...chunk].map((b) =>
      b === 0xee
        ? { error: linkError('device.bad-checksum', 'bad') }
        : b === 0
          ? { error: linkError('device.noise', 'noise') }
          : { frame: b },
    );
  }
}

/** Echoes each written byte + 1 when `answer` is on. */
class ScriptedLink extends EventEmitter<ByteLinkEvents> implements ByteLink {
  connected = true;
  answer = true;
  written: number[] = [];
  write(bytes: Uint8Array): Promise<void> {
    this.written.push(...bytes);
    if (this.answer)
      queueMicrotask(() =>
        this.emit(
          'data',
          bytes.map((b) => b + 1),
        ),
      );
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.connected = false;
    return Promise.resolve();
  }
}

describe('FrameChannel', () => {
  let link: ScriptedLink;
  let decoder: ByteDecoder;
  let channel: FrameChannel<number>;
  let outcomes: Outcome[];
  beforeEach(() => {
    vi.useFakeTimers();
    link = new ScriptedLink();
    decoder = new ByteDecoder();
    channel = new FrameChannel(link, decoder, { timeoutMs: 1000 });
    outcomes = [];
    channel.on('outcome', (o) => outcomes.push(o));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const ask = (byte: number): Promise<number> =>
    channel.transaction(async (session) => {
      await session.send(Uint8Array.of(byte));
      return session.receive();
    });

  it('answers in order, one transaction at a time', async () => {
    const answers = await Promise.all([ask(1), ask(5), ask(9)]);
    expect(answers).toEqual([2, 6, 10]);
    expect(link.written).toEqual([1, 5, 9]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('times out on fake time, resets the decoder, and reports a failed outcome', async () => {
    link.answer = false;
    const pending = ask(1);
    const assertion = expect(pending).rejects.toMatchObject({ code: 'device.timeout' });
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    expect(decoder.resets).toBe(1);
    expect(outcomes).toMatchObject([{ ok: false, error: { code: 'device.timeout' } }]);
  });

  it('lets the line settle after a timeout, so a late reply is not taken for the next one', async () => {
    link.answer = false;
    const first = ask(1);
    const assertion = expect(first).rejects.toMatchObject({ code: 'device.timeout' });
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    const second = ask(5);
    await vi.advanceTimersByTimeAsync(10);
    link.emit('data', Uint8Array.of(2)); // the late answer to the first request, while the line settles
    await vi.advanceTimersByTimeAsync(40);
    expect(link.written).toEqual([1, 5]);
    link.emit('data', Uint8Array.of(6));
    expect(await second).toBe(6);
  });

  it('fails a receive on a corrupt frame, even one that arrived before the receive', async () => {
    const result = channel.transaction(async (session) => {
      await session.send(Uint8Array.of(3));
      await session.receive();
      link.emit('data', Uint8Array.of(0xee, 0x07));
      await session.receive();
    });
    await expect(result).rejects.toMatchObject({ code: 'device.bad-checksum' });
  });

  it('counts noise without failing, and drops stale frames between transactions', async () => {
    const noise: unknown[] = [];
    channel.on('noise', (e) => noise.push(e));
    link.emit('data', Uint8Array.of(0x42, 0x00));
    expect(await ask(1)).toBe(2);
    expect(noise).toHaveLength(1);
  });

  it('fails the receive in flight on disconnect, and refuses new work while down', async () => {
    link.answer = false;
    const pending = ask(1);
    const assertion = expect(pending).rejects.toMatchObject({ code: 'device.disconnected' });
    await vi.advanceTimersByTimeAsync(1);
    link.connected = false;
    link.emit('disconnected', linkError('device.disconnected', 'unplugged'));
    await assertion;
    await expect(ask(2)).rejects.toMatchObject({ code: 'device.disconnected' });
  });

  it('does not count a negative answer against the device', async () => {
    const negative = channel.transaction(() => Promise.reject(new Error('no finger')));
    await expect(negative).rejects.toThrow('no finger');
    expect(outcomes).toEqual([{ ok: true }]);
  });
});
