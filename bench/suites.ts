// Every benchmark suite, by name (`npm run bench -- --only NAME`).
import type { BenchReport } from './report.ts';

export interface Suite {
  readonly name: string;
  run(report: BenchReport): Promise<void>;
}

export const SUITES: readonly Suite[] = [];
