// The workflow's badge port on the badge reader driver. A person taps when the screen asks, which can be a moment
// before the workflow starts waiting, so taps are queued while a session is open and dropped between sessions
// (a card left on the reader must not check in the next person).
import type { BadgeResult } from '../../core/checkin/checkin-machine.ts';
import type { BadgeReader } from '../../drivers/badge/badge-reader.ts';
import type { CardRead } from '../../drivers/badge/keyboard-report.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import type { BadgePort } from './ports.ts';

export class ReaderBadgePort implements BadgePort {
  private readonly queue: CardRead[] = [];
  private open = false;

  constructor(
    private readonly reader: BadgeReader,
    private readonly subjectOf: (card: string) => string | undefined,
    private readonly timeoutMs: number,
  ) {
    reader.on('card', (card) => {
      if (this.open) this.queue.push(card);
    });
  }

  get waitMs(): number {
    return this.timeoutMs;
  }

  /** Taps count from the start of a session until its end. */
  session(open: boolean): void {
    this.open = open;
    this.queue.length = 0;
  }

  async read(): Promise<BadgeResult> {
    let card = this.queue.shift();
    if (!card) {
      if (!this.reader.connected) return { kind: 'device-down' };
      try {
        card = await this.reader.nextCard(this.timeoutMs);
        // nextCard and the queue both saw it.
        const queued = this.queue.indexOf(card);
        if (queued >= 0) this.queue.splice(queued, 1);
      } catch (error) {
        if (error instanceof DeviceError && error.code === 'device.timeout') return { kind: 'timeout' };
        throw error;
      }
    }
    const subject = this.subjectOf(card.number);
    return subject === undefined ? { kind: 'unknown-badge' } : { kind: 'known', subject };
  }
}
