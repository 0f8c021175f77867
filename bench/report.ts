// Benchmark figures: each is compared with a baseline measured in the same run, because these machines are
// shared and noisy; only ratios mean something across runs.
import { writeFileSync } from 'node:fs';

export interface Figure {
  readonly value: number;
  readonly unit: string;
  /** Name of the figure this one is compared with (itself for a baseline). */
  readonly baseline: string;
}

export class BenchReport {
  readonly figures = new Map<string, Figure>();

  add(name: string, value: number, unit: string, baseline: string = name): void {
    this.figures.set(name, { value, unit, baseline });
  }

  ratio(name: string): number | undefined {
    const figure = this.figures.get(name);
    const base = figure && this.figures.get(figure.baseline);
    if (!figure || !base || base === figure || base.value === 0) return undefined;
    return figure.value / base.value;
  }

  table(): string {
    const rows = [...this.figures].map(([name, f]) => {
      const ratio = this.ratio(name);
      return `${name.padEnd(52)} ${format(f.value).padStart(12)} ${f.unit.padEnd(10)} ${ratio === undefined ? '' : `${ratio.toFixed(2)}x ${f.baseline}`}`;
    });
    return [`${'figure'.padEnd(52)} ${'value'.padStart(12)} ${'unit'.padEnd(10)} vs baseline`, ...rows].join('\n');
  }

  writeJson(file: string): void {
    writeFileSync(file, `${JSON.stringify(Object.fromEntries(this.figures), null, 2)}\n`);
  }
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
}

/** Runs fn repeatedly for about `seconds` and returns operations per second. */
export async function opsPerSecond(fn: () => unknown, seconds = 1): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() < deadline) {
    await fn();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
