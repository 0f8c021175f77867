// Every layer rule of .dependency-cruiser.cjs fails on a probe that breaks it: probe files laid out like the
// repository in a temp folder (the real tree is never touched, others check it meanwhile), with this checkout's
// node_modules linked in (its packages keep their node_modules/ paths), checked by the real config in one run.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'muster-layers-'));

/** Probe file -> its source -> the rule it must break. */
const PROBES: readonly (readonly [string, string, string])[] = [
  [
    'renderer/probe-sqlite.ts',
    "import Database from 'better-sqlite3';\nexport const d = Database;",
    'renderer-packages',
  ],
  [
    'renderer/probe-serial.ts',
    "import { SerialPort } from 'serialport';\nexport const s = SerialPort;",
    'renderer-packages',
  ],
  [
    'renderer/probe-node.ts',
    "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;",
    'renderer-no-node-builtins',
  ],
  ['renderer/probe-ledger.ts', "export * from '../ledger/store.ts';", 'renderer-is-browser-code'],
  ['core/probe-mqtt.ts', "import mqtt from 'mqtt';\nexport const m = mqtt;", 'core-packages'],
  ['core/probe-node.ts', "import { createHash } from 'node:crypto';\nexport const h = createHash;", 'core-is-pure'],
  ['ledger/probe-mqtt.ts', "import mqtt from 'mqtt';\nexport const m = mqtt;", 'ledger-packages'],
  ['ledger/probe-hid.ts', "import HID from 'node-hid';\nexport const h = HID;", 'ledger-packages'],
  ['ledger/probe-net.ts', "export * from '../net/topics.ts';", 'ledger-stands-alone'],
  ['drivers/probe-sqlite.ts', "import Database from 'better-sqlite3';\nexport const d = Database;", 'drivers-packages'],
  ['drivers/probe-ledger.ts', "export * from '../ledger/store.ts';", 'drivers-stand-alone'],
  [
    'drivers/probe-codec.ts',
    "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;",
    'codecs-are-pure',
  ],
  ['hardware/probe-pg.ts', "import pg from 'pg';\nexport const p = pg;", 'hardware-packages'],
  ['face/probe-mqtt.ts', "import mqtt from 'mqtt';\nexport const m = mqtt;", 'face-packages'],
  ['net/probe-hid.ts', "import HID from 'node-hid';\nexport const h = HID;", 'net-packages'],
  ['net/probe-drivers.ts', "export * from '../drivers/frame-channel.ts';", 'net-above-ledger'],
  ['access/probe-mqtt.ts', "import mqtt from 'mqtt';\nexport const m = mqtt;", 'access-packages'],
  ['access/probe-net.ts', "export * from '../net/topics.ts';", 'access-above-ledger'],
  ['runtime/probe-ledger.ts', "export * from '../ledger/store.ts';", 'runtime-is-a-base'],
  ['runtime/probe-sqlite.ts', "import Database from 'better-sqlite3';\nexport const d = Database;", 'runtime-packages'],
  [
    'main/electron/preload.cts',
    "const { contextBridge } = require('electron');\nconst fs = require('node:fs');\nmodule.exports = { contextBridge, fs };",
    'preload-imports-only-electron',
  ],
  ['main/probe-dev.ts', "import { build } from 'esbuild';\nexport const b = build;", 'no-dev-dependencies-at-run-time'],
  ['ledger/probe-main.ts', "export * from '../main/cli/command.ts';", 'nothing-imports-main'],
  ['main/probe-test.ts', "export * from '../test/helpers/free-port.ts';", 'no-test-code-in-production'],
  // Through a module that may load the validation library itself.
  ['ledger/verify-worker.ts', "export * from '../core/probe-schemas.ts';", 'verify-worker-loads-no-validation-library'],
];
/** Files between a probe and what it reaches: they break no rule themselves. */
const LINKS: readonly (readonly [string, string])[] = [
  ['core/probe-schemas.ts', "import { Type } from '@sinclair/typebox';\nexport const schema = Type.String();"],
];
/** Files the probes import, copied from the checkout so the imports resolve. */
const TARGETS = [
  'ledger/store.ts',
  'net/topics.ts',
  'drivers/frame-channel.ts',
  'main/cli/command.ts',
  'test/helpers/free-port.ts',
];

interface Violation {
  readonly from: string;
  readonly rule: { readonly name: string };
}
let violations: readonly Violation[] = [];

beforeAll(async () => {
  for (const [file, source] of [...PROBES, ...LINKS]) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), `${source}\n`);
  }
  for (const file of TARGETS) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), 'export const probeTarget = 1;\n');
  }
  // The codec rule matches by file name, wherever the codec lives.
  copyFileSync(join(dir, 'drivers/probe-codec.ts'), join(dir, 'drivers/probe-x-codec.ts'));
  rmSync(join(dir, 'drivers/probe-codec.ts'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  // package.json tells production from development dependencies.
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const depcruise = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const folders = [...new Set(PROBES.map(([file]) => file.split('/')[0] ?? ''))];
  const run = await promisify(execFile)(
    process.execPath,
    [
      depcruise,
      '--config',
      join(ROOT, '.dependency-cruiser.cjs'),
      '--preserve-symlinks',
      '--output-type',
      'json',
      ...folders,
    ],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: unknown) => error as { stdout: string });
  violations = (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the layer check', () => {
  it.each(PROBES.map(([file, , rule]) => [rule, file.replace('probe-codec', 'probe-x-codec')]))(
    '%s fails on %s',
    (rule, file) => {
      expect(violations.filter((v) => v.from === file).map((v) => v.rule.name)).toContain(rule);
    },
  );

  it('passes the files the probes import', () => {
    const imported = [...TARGETS, ...LINKS.map(([file]) => file)];
    expect(violations.filter((v) => imported.includes(v.from))).toEqual([]);
  });
});
