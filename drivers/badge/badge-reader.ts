// Badge reader driver: decodes reports from any ReportSource into card reads, and reopens the source with backoff
// when it errors (an unplugged reader), like the serial transport does.
import { EventEmitter } from 'node:events';
import { errorMessage } from '../../core/errors.ts';
import { DeviceError, linkError } from '../device-error.ts';
import type { Outcome } from '../frame-channel.ts';
import { type Backoff, DEFAULT_BACKOFF, Reconnector } from '../reconnect.ts';
import { type CardRead, KeyboardReportDecoder, type ReportDecoder } from './keyboard-report.ts';
import type { ReportSource } from './report-source.ts';

export interface BadgeReaderEvents {
  card: [CardRead];
  connected: [];
  disconnected: [DeviceError];
  outcome: [Outcome];
}

export interface BadgeReaderOptions {
  /** Opens the reader; called again after an unplug. */
  readonly open: () => Promise<ReportSource>;
  /** Keyboard (wedge) mode by default; DataModeDecoder for readers switched to vendor data mode. */
  readonly decoder?: ReportDecoder;
  readonly reconnect?: Backoff | false;
}

export class BadgeReader extends EventEmitter<BadgeReaderEvents> {
  readonly #options: BadgeReaderOptions;
  readonly #decoder: ReportDecoder;
  #source: ReportSource | undefined;
  #closed = false;
  readonly #reconnector: Reconnector;

  constructor(options: BadgeReaderOptions) {
    super();
    this.#options = options;
    this.#decoder = options.decoder ?? new KeyboardReportDecoder();
    this.#reconnector = new Reconnector(options.reconnect ?? DEFAULT_BACKOFF, () => this.#openOnce());
  }

  get connected(): boolean {
    return this.#source !== undefined;
  }

  async open(): Promise<void> {
    this.#closed = false;
    this.#reconnector.resume();
    await this.#openOnce();
  }

  /** The next card read, or device.timeout. */
  nextCard(timeoutMs: number): Promise<CardRead> {
    return new Promise((resolve, reject) => {
      const onCard = (card: CardRead): void => {
        clearTimeout(timer);
        resolve(card);
      };
      const timer = setTimeout(() => {
        this.off('card', onCard);
        reject(linkError('device.timeout', `no card within ${timeoutMs} ms`));
      }, timeoutMs);
      this.once('card', onCard);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reconnector.stop();
    const source = this.#source;
    this.#source = undefined;
    source?.removeAllListeners();
    await source?.close();
  }

  async #openOnce(): Promise<void> {
    let source: ReportSource;
    try {
      source = await this.#options.open();
    } catch (error) {
      throw error instanceof DeviceError
        ? error
        : linkError('device.not-found', `cannot open badge reader: ${errorMessage(error)}`, { cause: error });
    }
    if (this.#closed) {
      await source.close();
      throw linkError('device.closed', 'reader closed while opening');
    }
    this.#decoder.reset();
    const onData = (report: Uint8Array): void => {
      this.#onReport(report);
    };
    const onError = (error: Error): void => {
      // A source may be reopened (the same emitter after a replug): never leave a stale listener behind.
      source.off('data', onData);
      source.off('error', onError);
      this.#onError(source, error);
    };
    source.on('data', onData);
    source.on('error', onError);
    this.#source = source;
    this.#reconnector.succeeded();
    this.emit('connected');
  }

  #onReport(report: Uint8Array): void {
    for (const item of this.#decoder.push(report)) {
      if ('card' in item) {
        this.emit('outcome', { ok: true });
        this.emit('card', item.card);
      } else {
        this.emit('outcome', { ok: false, error: item.error });
      }
    }
  }

  #onError(source: ReportSource, error: Error): void {
    if (source !== this.#source) return;
    this.#source = undefined;
    source.close().catch(() => undefined);
    if (this.#closed) return;
    this.emit(
      'disconnected',
      linkError('device.disconnected', `badge reader lost: ${error.message}`, { cause: error }),
    );
    this.#reconnector.schedule();
  }
}
