// VC0706 camera driver: reset (draining the boot text), version, resolution, and capture: stop the current frame,
// read its length, read it in chunks, check it is one whole JPEG, resume the live view.
import { DeviceError, linkError } from '../device-error.ts';
import type { FrameChannel, Session } from '../frame-channel.ts';
import {
  FrameControl,
  ImageSize,
  type Resolution,
  Vc0706Command,
  type Vc0706Decoder,
  type Vc0706Item,
  readFrameArgs,
  resolutionOf,
  vc0706Request,
} from './vc0706-codec.ts';

export interface Camera {
  /** One JPEG, checked whole (SOI, EOI, declared length): device.bad-frame otherwise; camera.refused when the module says no. */
  capture(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface Vc0706Options {
  /** Bytes per read; 32 is safe with every module and adapter, larger chunks save round trips where they work. */
  readonly chunkSize?: number;
  /** The delay field of a read, in units of 0.01 ms. */
  readonly readDelay?: number;
  /** How long the boot text may take after a reset. */
  readonly bootTimeoutMs?: number;
  /** Largest frame accepted; a corrupt length must not make the driver read forever. */
  readonly maxFrameBytes?: number;
}

export class Vc0706Camera implements Camera {
  readonly #channel: FrameChannel<Vc0706Item>;
  readonly #decoder: Vc0706Decoder;
  readonly #chunkSize: number;
  readonly #readDelay: number;
  readonly #bootTimeoutMs: number;
  readonly #maxFrame: number;

  /** The decoder must be the one the channel was built with: the driver tells it what follows a reply. */
  constructor(channel: FrameChannel<Vc0706Item>, decoder: Vc0706Decoder, options: Vc0706Options = {}) {
    this.#channel = channel;
    this.#decoder = decoder;
    this.#chunkSize = options.chunkSize ?? 32;
    this.#readDelay = options.readDelay ?? 10;
    this.#bootTimeoutMs = options.bootTimeoutMs ?? 3000;
    this.#maxFrame = options.maxFrameBytes ?? 1 << 20;
    if (!Number.isInteger(this.#chunkSize) || this.#chunkSize < 8 || this.#chunkSize % 8 !== 0)
      throw new TypeError(`chunkSize: expected a multiple of 8, got ${this.#chunkSize}`);
  }

  /** Resets the module and returns its boot text once it has drained. */
  reset(): Promise<string> {
    return this.#channel.transaction(async (session) => {
      this.#decoder.expectBoot();
      await this.#command(session, Vc0706Command.reset);
      const boot = await session.receive(this.#bootTimeoutMs);
      if (boot.kind !== 'boot') throw linkError('device.unexpected-reply', `expected boot text, got ${boot.kind}`);
      return boot.text;
    });
  }

  async version(): Promise<string> {
    const data = await this.#run(Vc0706Command.version);
    return String.fromCharCode(...data);
  }

  async resolution(): Promise<Resolution> {
    const data = await this.#run(Vc0706Command.getImageSize, [0x04, 0x01, 0x00, 0x19]);
    const resolution = resolutionOf(data[0] ?? -1);
    if (!resolution) throw linkError('device.unexpected-reply', `unknown image size code ${data[0]}`);
    return resolution;
  }

  async setResolution(resolution: Resolution): Promise<void> {
    await this.#run(Vc0706Command.setImageSize, [0x04, 0x01, 0x00, 0x19, ImageSize[resolution]]);
  }

  capture(): Promise<Uint8Array> {
    return this.#channel.transaction(async (session) => {
      await this.#command(session, Vc0706Command.frameControl, [FrameControl.stopCurrent]);
      try {
        const lengthBytes = await this.#command(session, Vc0706Command.frameLength, [0x00]);
        const length =
          lengthBytes.length === 4 ? new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 4).getUint32(0) : -1;
        if (length < 4 || length > this.#maxFrame)
          throw linkError('device.bad-frame', `implausible frame length ${length}`);
        const frame = new Uint8Array(length);
        for (let address = 0; address < length; address += this.#chunkSize) {
          const size = Math.min(this.#chunkSize, length - address);
          frame.set(await this.#readChunk(session, address, size), address);
        }
        return checkJpeg(frame);
      } finally {
        await this.#command(session, Vc0706Command.frameControl, [FrameControl.resume]).catch(() => undefined);
      }
    });
  }

  close(): Promise<void> {
    return this.#channel.close();
  }

  /** One read: the reply, `size` raw bytes, the closing reply. */
  async #readChunk(session: Session<Vc0706Item>, address: number, size: number): Promise<Uint8Array> {
    this.#decoder.expectData(size);
    await this.#command(session, Vc0706Command.readFrame, readFrameArgs(address, size, this.#readDelay));
    const data = await session.receive();
    if (data.kind !== 'data') throw linkError('device.unexpected-reply', `expected frame data, got ${data.kind}`);
    await this.#expectReply(session, Vc0706Command.readFrame);
    return data.bytes;
  }

  #run(command: number, args: readonly number[] = []): Promise<Uint8Array> {
    return this.#channel.transaction((session) => this.#command(session, command, args));
  }

  async #command(session: Session<Vc0706Item>, command: number, args: readonly number[] = []): Promise<Uint8Array> {
    await session.send(vc0706Request(command, args));
    return this.#expectReply(session, command);
  }

  async #expectReply(session: Session<Vc0706Item>, command: number): Promise<Uint8Array> {
    const reply = await session.receive();
    if (reply.kind !== 'reply' || reply.command !== command) {
      throw linkError(
        'device.unexpected-reply',
        `expected a reply to ${command.toString(16)}, got ${reply.kind === 'reply' ? reply.command.toString(16) : reply.kind}`,
      );
    }
    if (reply.status !== 0)
      throw new DeviceError('camera.refused', `command ${command.toString(16)} refused with status ${reply.status}`);
    return reply.data;
  }
}

/** A whole JPEG: starts FF D8, ends FF D9 (zero padding after it, which some modules add, is trimmed). */
export function checkJpeg(frame: Uint8Array): Uint8Array {
  if (frame[0] !== 0xff || frame[1] !== 0xd8)
    throw linkError('device.bad-frame', 'frame does not start with a JPEG SOI (FF D8)');
  let end = frame.length;
  while (end > 2 && frame[end - 1] === 0x00) end--;
  if (frame[end - 2] !== 0xff || frame[end - 1] !== 0xd9)
    throw linkError('device.bad-frame', 'frame does not end with a JPEG EOI (FF D9)');
  return end === frame.length ? frame : frame.slice(0, end);
}
