// Request/reply over a byte link: frames are decoded as they arrive and handed to the one transaction in flight.
// Transactions run one at a time (a queue), so the frames of two requests never interleave; every receive has a
// timeout; a timeout or a disconnect fails the transaction with a typed error and resets the decoder. After a timeout
// the next transaction first lets the line settle, so a late reply to the old request is not taken for its own.
import { EventEmitter } from 'node:events';
import type { ByteLink } from './byte-link.ts';
import { DeviceError, linkError } from './device-error.ts';
import type { Decoded, FrameDecoder } from './frame-decoder.ts';

export interface Session<F> {
  send(bytes: Uint8Array): Promise<void>;
  /** The next frame, or a typed error: device.timeout after `timeoutMs` (the channel default when omitted). */
  receive(timeoutMs?: number): Promise<F>;
}

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: DeviceError };

export interface ChannelEvents {
  connected: [];
  disconnected: [DeviceError];
  /** One per transaction: whether the device answered (a negative answer still counts as answering). */
  outcome: [Outcome];
  /** Bytes skipped while hunting for a frame: counted, not fatal. */
  noise: [DeviceError];
}

interface Waiter<F> {
  resolve(frame: F): void;
  reject(error: DeviceError): void;
}

/** Frames (and corrupt-frame errors) that arrive with nobody waiting, e.g. a multi-packet upload in one chunk, are kept in order, up to this many. */
const INBOX_LIMIT = 256;

export class FrameChannel<F> extends EventEmitter<ChannelEvents> {
  readonly #link: ByteLink;
  readonly #decoder: FrameDecoder<F>;
  readonly #timeoutMs: number;
  readonly #settleMs: number;
  #timedOut = false;
  readonly #inbox: Decoded<F>[] = [];
  #waiter: Waiter<F> | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  /** timeoutMs: default per-reply timeout; settleMs: quiet time after a timeout before the next request (default 50). */
  constructor(
    link: ByteLink,
    decoder: FrameDecoder<F>,
    options: { readonly timeoutMs: number; readonly settleMs?: number },
  ) {
    super();
    this.#link = link;
    this.#decoder = decoder;
    this.#timeoutMs = options.timeoutMs;
    this.#settleMs = options.settleMs ?? 50;
    link.on('data', (chunk) => {
      this.#onData(chunk);
    });
    link.on('connected', () => {
      this.#decoder.reset();
      this.emit('connected');
    });
    link.on('disconnected', (error) => {
      this.#decoder.reset();
      this.#fail(error);
      this.emit('disconnected', error);
    });
  }

  get connected(): boolean {
    return this.#link.connected;
  }

  /** Runs `fn` with exclusive use of the device; queued behind the transaction in flight. */
  transaction<T>(fn: (session: Session<F>) => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => this.#run(fn));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    this.#fail(linkError('device.closed', 'channel closed'));
    return this.#link.close();
  }

  async #run<T>(fn: (session: Session<F>) => Promise<T>): Promise<T> {
    if (!this.#link.connected) {
      const error = linkError('device.disconnected', 'device is not connected');
      this.emit('outcome', { ok: false, error });
      throw error;
    }
    if (this.#timedOut) {
      this.#timedOut = false;
      await new Promise((resolve) => setTimeout(resolve, this.#settleMs));
      this.#decoder.reset();
    }
    this.#inbox.length = 0;
    let linkFailure: DeviceError | undefined;
    const session: Session<F> = {
      send: (bytes) => this.#link.write(bytes),
      receive: (timeoutMs = this.#timeoutMs) =>
        this.#receive(timeoutMs).catch((error: unknown) => {
          if (error instanceof DeviceError && error.isLinkFailure) linkFailure = error;
          throw error;
        }),
    };
    try {
      const result = await fn(session);
      this.emit('outcome', { ok: true });
      return result;
    } catch (error) {
      if (!linkFailure && error instanceof DeviceError && error.isLinkFailure) linkFailure = error;
      this.emit('outcome', linkFailure ? { ok: false, error: linkFailure } : { ok: true });
      throw error;
    }
  }

  #receive(timeoutMs: number): Promise<F> {
    const ready = this.#inbox.shift();
    if (ready) return 'frame' in ready ? Promise.resolve(ready.frame) : Promise.reject(ready.error);
    if (!this.#link.connected) return Promise.reject(linkError('device.disconnected', 'device is not connected'));
    return new Promise<F>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        this.#decoder.reset();
        this.#timedOut = true;
        reject(linkError('device.timeout', `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  #onData(chunk: Uint8Array): void {
    for (const item of this.#decoder.push(chunk)) {
      if ('error' in item && item.error.code === 'device.noise') this.emit('noise', item.error);
      else this.#deliver(item);
    }
  }

  /** A corrupt frame fails the receive at once rather than leaving it to time out. */
  #deliver(item: Decoded<F>): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      if ('frame' in item) waiter.resolve(item.frame);
      else waiter.reject(item.error);
      return;
    }
    this.#inbox.push(item);
    if (this.#inbox.length > INBOX_LIMIT) this.#inbox.shift();
  }

  #fail(error: DeviceError): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
