// `npm run bench -- [--json FILE] [--only NAME]`: runs the suites, prints a table, optionally writes JSON.
import { parseArgs } from 'node:util';
import { BenchReport } from './report.ts';
import { SUITES } from './suites.ts';

const { values } = parseArgs({
  options: { json: { type: 'string' }, only: { type: 'string', multiple: true } },
  strict: true,
});
const only = values.only ?? [];
const unknown = only.filter((name) => !SUITES.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown suite ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
const report = new BenchReport();
for (const suite of SUITES) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  process.stderr.write(`bench: ${suite.name}...\n`);
  await suite.run(report);
}
process.stdout.write(
  `${report.table()}\n(CPU figures: no GPU on these machines. Ratios are against a baseline measured in the same run.)\n`,
);
if (values.json) report.writeJson(values.json);
