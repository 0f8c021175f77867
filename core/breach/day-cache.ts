// One person's cached day results. Most days find nothing, so those cost two numbers in typed arrays (the span
// of `at` for which "nothing" holds); only days with findings keep objects. This keeps a city's year of cached
// days out of the garbage collector's way.
import type { DayResult } from './evaluate-day.ts';

const EMPTY: DayResult = { breaches: [], reviews: [], validFrom: -Infinity, validUntil: Infinity };

export class DayCache {
  private base = 0;
  private from = new Float64Array(0);
  private until = new Float64Array(0);
  private readonly found = new Map<number, DayResult>();

  /** The cached result for `day` if it holds at `at`. */
  get(day: number, at: number): DayResult | undefined {
    const i = day - this.base;
    if (i < 0 || i >= this.from.length) return undefined;
    // Unset slots are NaN, and every comparison with NaN is false.
    if (!((this.from[i] as number) <= at && at < (this.until[i] as number))) return undefined;
    return this.found.get(day) ?? EMPTY;
  }

  set(day: number, result: DayResult): void {
    this.reserve(day);
    const i = day - this.base;
    this.from[i] = result.validFrom;
    this.until[i] = result.validUntil;
    if (result.breaches.length > 0 || result.reviews.length > 0) this.found.set(day, result);
    else this.found.delete(day);
  }

  delete(day: number): void {
    const i = day - this.base;
    if (i >= 0 && i < this.from.length) this.from[i] = Number.NaN;
    this.found.delete(day);
  }

  /** Forgets `day` and every day after it. */
  deleteFrom(day: number): void {
    const i = Math.max(0, day - this.base);
    if (i < this.from.length) this.from.fill(Number.NaN, i);
    for (const d of [...this.found.keys()]) if (d >= day) this.found.delete(d);
  }

  clear(): void {
    this.from.fill(Number.NaN);
    this.found.clear();
  }

  private reserve(day: number): void {
    if (this.from.length === 0) {
      this.base = day;
      this.grow(64, 0);
      return;
    }
    if (day < this.base) {
      const shift = this.base - day;
      this.grow(this.from.length + shift, shift);
      this.base = day;
    } else if (day - this.base >= this.from.length) {
      this.grow(Math.max(this.from.length * 2, day - this.base + 1), 0);
    }
  }

  private grow(length: number, shift: number): void {
    const from = new Float64Array(length).fill(Number.NaN);
    const until = new Float64Array(length).fill(Number.NaN);
    from.set(this.from, shift);
    until.set(this.until, shift);
    this.from = from;
    this.until = until;
  }
}
