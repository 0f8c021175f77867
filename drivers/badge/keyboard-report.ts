// Pure decoding of USB HID boot-keyboard reports `[modifier, 00, k1..k6]` from wedge-style badge readers into card
// numbers. A key counts when it appears in a report and was absent from the previous one; Enter ends the number.
import { DeviceError, linkError } from '../device-error.ts';

export interface CardRead {
  readonly number: string;
}

export type ReportDecoded = { readonly card: CardRead } | { readonly error: DeviceError };

export interface ReportDecoder {
  push(report: Uint8Array): ReportDecoded[];
  reset(): void;
}

const SHIFT = 0x02 | 0x20;
const ROLLOVER = 0x01;
const ENTER = 0x28;
const KEYPAD_ENTER = 0x58;
/** Longer than any card number we know of; a stuck key must not grow the buffer without bound. */
export const MAX_CARD_CHARS = 64;

export function usageToChar(usage: number, shifted: boolean): string | undefined {
  if (usage >= 0x04 && usage <= 0x1d) {
    const letter = String.fromCharCode(0x61 + usage - 0x04);
    return shifted ? letter.toUpperCase() : letter;
  }
  if (usage >= 0x1e && usage <= 0x26) return shifted ? undefined : String(usage - 0x1d);
  if (usage === 0x27) return shifted ? undefined : '0';
  if (usage >= 0x59 && usage <= 0x61) return String(usage - 0x58);
  if (usage === 0x62) return '0';
  return undefined;
}

export class KeyboardReportDecoder implements ReportDecoder {
  #previous = new Set<number>();
  #card = '';

  reset(): void {
    this.#previous = new Set();
    this.#card = '';
  }

  push(report: Uint8Array): ReportDecoded[] {
    if (report.length !== 8)
      return [{ error: linkError('device.bad-frame', `keyboard report of ${report.length} bytes, expected 8`) }];
    const keys = [...report.subarray(2)].filter((k) => k !== 0);
    if (keys.includes(ROLLOVER)) {
      // Phantom state: the reader lost track of its keys, so any partial number is unreliable.
      this.#card = '';
      return [{ error: new DeviceError('badge.rollover', 'keyboard rollover error: partial card number dropped') }];
    }
    const out: ReportDecoded[] = [];
    const shifted = ((report[0] ?? 0) & SHIFT) !== 0;
    for (const key of keys) {
      if (this.#previous.has(key)) continue;
      if (key === ENTER || key === KEYPAD_ENTER) {
        if (this.#card !== '') out.push({ card: { number: this.#card } });
        this.#card = '';
        continue;
      }
      const char = usageToChar(key, shifted);
      if (char === undefined) continue;
      if (this.#card.length >= MAX_CARD_CHARS) {
        this.#card = '';
        out.push({
          error: new DeviceError('badge.too-long', `card number longer than ${MAX_CARD_CHARS} characters dropped`),
        });
        continue;
      }
      this.#card += char;
    }
    this.#previous = new Set(keys);
    return out;
  }
}

/**
 * Vendor "HID data" mode, where the reader sends the card in one report instead of typing it:
 * `[length, data...]`, the card number being the data as upper-case hex (UID readers) or ASCII digits.
 */
export class DataModeDecoder implements ReportDecoder {
  readonly #format: 'hex' | 'ascii';

  constructor(format: 'hex' | 'ascii' = 'hex') {
    this.#format = format;
  }

  reset(): void {
    // Stateless: one report is one card.
  }

  push(report: Uint8Array): ReportDecoded[] {
    const length = report[0] ?? 0;
    if (length === 0) return [];
    if (length > report.length - 1)
      return [{ error: linkError('device.bad-frame', `data report claims ${length} bytes, has ${report.length - 1}`) }];
    const data = report.subarray(1, 1 + length);
    if (this.#format === 'hex')
      return [
        {
          card: {
            number: [...data]
              .map((b) => b.toString(16).padStart(2, '0'))
              .join('')
              .toUpperCase(),
          },
        },
      ];
    const text = String.fromCharCode(...data);
    if (!/^[0-9A-Za-z]+$/.test(text))
      return [{ error: linkError('device.bad-frame', 'data report is not an alphanumeric card number') }];
    return [{ card: { number: text } }];
  }
}
