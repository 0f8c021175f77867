// Where HID reports come from: node-hid (production), the keyboard-wedge emulator (tests), or a byte stream carrying
// fixed-size reports (the emulator on a tty). Each emits one 'data' event per report and 'error' when the device goes.
import { EventEmitter } from 'node:events';
import type { ByteLink } from '../byte-link.ts';

export interface ReportSourceEvents {
  data: [Uint8Array];
  error: [Error];
}

export interface ReportSource extends EventEmitter<ReportSourceEvents> {
  close(): Promise<void>;
}

/** Fixed-size reports reassembled from whatever chunks a tty delivers; a lost link surfaces as an error. */
export class StreamReportSource extends EventEmitter<ReportSourceEvents> implements ReportSource {
  readonly #link: ByteLink;
  #pending = new Uint8Array(0);

  constructor(link: ByteLink, reportSize: number) {
    super();
    if (!Number.isInteger(reportSize) || reportSize < 1)
      throw new TypeError(`reportSize: expected a positive integer, got ${reportSize}`);
    this.#link = link;
    link.on('data', (chunk) => {
      const data = new Uint8Array(this.#pending.length + chunk.length);
      data.set(this.#pending);
      data.set(chunk, this.#pending.length);
      let offset = 0;
      for (; offset + reportSize <= data.length; offset += reportSize)
        this.emit('data', data.slice(offset, offset + reportSize));
      this.#pending = data.slice(offset);
    });
    link.on('disconnected', (error) => this.emit('error', error));
  }

  close(): Promise<void> {
    return this.#link.close();
  }
}
