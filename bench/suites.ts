// Every benchmark suite, by name (`npm run bench -- --only NAME`).
import { accessSuite } from './access.bench.ts';
import { alertsSuite } from './alerts.bench.ts';
import { breachSuite } from './breach.bench.ts';
import { driversSuite } from './drivers.bench.ts';
import { evidenceSuite } from './evidence.bench.ts';
import { faceSuite } from './face.bench.ts';
import { hqDashboardSuite } from './hq-dashboard.bench.ts';
import { faceFrrSuite } from './face-frr.bench.ts';
import { kioskSuite } from './kiosk.bench.ts';
import { ledgerSuite } from './ledger.bench.ts';
import { netSuite } from './net.bench.ts';
import { scaleSuite } from './scale.bench.ts';
import { screensSuite } from './screens.bench.ts';
import { securitySuite } from './security.bench.ts';
import { startupSuite } from './startup.bench.ts';
import { validationSuite } from './validation.bench.ts';
import { verifiedSuite } from './verified.bench.ts';
import type { BenchReport } from './report.ts';

export interface Suite {
  readonly name: string;
  run(report: BenchReport): Promise<void>;
}

export const SUITES: readonly Suite[] = [
  ledgerSuite,
  driversSuite,
  faceSuite,
  faceFrrSuite,
  breachSuite,
  alertsSuite,
  netSuite,
  accessSuite,
  securitySuite,
  screensSuite,
  kioskSuite,
  startupSuite,
  evidenceSuite,
  verifiedSuite,
  scaleSuite,
  hqDashboardSuite,
  validationSuite,
];
