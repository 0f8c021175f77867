#!/usr/bin/env node
// The `muster` command: runs the compiled CLI in dist/ (`npm run build`; `npm ci` builds through `prepare`).
// From the sources, without a build: `npm run muster -- ARGS` (tsx).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'muster: not built yet: run `npm run build` (npm ci runs it), or `npm run muster -- ARGS` from the sources\n',
  );
  process.exit(70);
}
await import(main.href);
