// The layering check (`npm run layers`). Imports only go down: see ARCHITECTURE.md, "Layers".
// core      pure TypeScript: types, codecs, rules. No Node built-ins, no native modules: the renderer uses it too.
// runtime   small Node-only utilities every Node layer shares (workers, files, clocks). Imports only core.
// ledger    the signed log and its SQLite store (Node).
// drivers   device transports and protocol drivers (Node).
// hardware  device emulators and profiles (Node); built on the drivers' codecs.
// face      face inference in a worker (Node).
// net       MQTT replication, witnessing, HQ services (Node).
// access    users, sessions, the HTTP guard, the personal-data store (Node). Built on core, runtime, ledger.
// main      process entry points: CLI, kiosk and HQ runtimes, Electron main. May import every Node layer.
// renderer  screens: core and browser code only.
const { builtinModules } = require('node:module');

const NODE_LAYERS = '^(runtime|ledger|drivers|hardware|face|net|access)/';

// The npm packages each layer may import itself (ARCHITECTURE.md "Layers"); a layer also uses, through the layers
// it imports, what they may. Adding a package to a layer is one entry here. main/ may import every production
// dependency; nothing outside test/, bench/ and scripts/ imports a devDependency (rule below).
const PACKAGES = {
  core: ['cborg', '@sinclair/typebox'],
  // esbuild: type-only, for bundling workers when the sources run (the dev-dependency rule refuses a value import).
  runtime: ['pino', 'esbuild'],
  ledger: ['better-sqlite3'],
  drivers: ['serialport', '@serialport/[^/]+', 'node-hid'],
  hardware: ['serialport', '@serialport/[^/]+'],
  face: ['@tensorflow/[^/]+', '@vladmandic/[^/]+', 'jpeg-js'],
  net: ['mqtt', 'aedes', 'pg', 'kysely', 'better-sqlite3'],
  access: ['better-sqlite3', 'electron', 'fastify'],
  renderer: ['echarts', 'zrender'],
};

const packageRules = Object.entries(PACKAGES).map(([layer, packages]) => ({
  name: `${layer}-packages`,
  comment: `${layer}/ may import only these npm packages: ${packages.join(', ') || 'none'}.`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: '^node_modules/', pathNot: packages.map((name) => `^node_modules/${name}/`) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...packageRules,
    {
      name: 'core-is-pure',
      comment: 'core/ runs in the renderer too: it may import only core/ and its packages (no Node built-ins).',
      severity: 'error',
      from: { path: '^core/' },
      to: { pathNot: ['^core/', '^node_modules/'] },
    },
    {
      name: 'renderer-is-browser-code',
      comment: 'The renderer talks to the kiosk only through the typed API; no Node layers, no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { pathNot: ['^renderer/', '^core/', '^node_modules/'] },
    },
    {
      name: 'codecs-are-pure',
      comment:
        'Protocol codecs turn bytes into frames and back: no Node built-ins, so they run and are tested anywhere.',
      severity: 'error',
      from: { path: '-codec\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-imports-only-electron',
      comment: 'The preload runs in the sandboxed renderer: it may require electron and nothing else.',
      severity: 'error',
      from: { path: '^main/electron/preload\\.cts$' },
      to: { pathNot: '^node_modules/electron/' },
    },
    {
      name: 'no-dev-dependencies-at-run-time',
      comment:
        'A build ships production dependencies only. Electron is provided by the Electron runtime; main/web/bundle.ts loads esbuild and bin/run-ts.js tsx only when the sources run.',
      severity: 'error',
      from: { pathNot: '^(test|bench|scripts)/|^main/web/bundle\\.ts$|^bin/run-ts\\.js$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '^node_modules/electron/' },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'runtime-is-a-base',
      comment: 'runtime/ is shared by every Node layer, so it may import only core/.',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^(ledger|drivers|hardware|face|net|access|main|renderer)/' },
    },
    {
      name: 'nothing-imports-main',
      comment: 'main/ assembles the processes; lower layers never reach up into it.',
      severity: 'error',
      from: { path: '^(core|runtime|ledger|drivers|hardware|face|net|access|renderer)/' },
      to: { path: '^main/' },
    },
    {
      name: 'access-above-ledger',
      comment:
        'Access control and personal data build on the ledger and core; devices, faces and the network come to it.',
      severity: 'error',
      from: { path: '^access/' },
      to: { path: '^(drivers|hardware|face|net|renderer)/' },
    },
    {
      name: 'only-net-and-main-use-access',
      comment: 'The log, devices and faces never see users or personal data.',
      severity: 'error',
      from: { path: '^(runtime|ledger|drivers|hardware|face)/' },
      to: { path: '^access/' },
    },
    {
      name: 'ledger-stands-alone',
      comment: 'The log knows nothing of devices, faces or the network.',
      severity: 'error',
      from: { path: '^ledger/' },
      to: { path: '^(drivers|hardware|face|net|renderer)/' },
    },
    {
      name: 'drivers-stand-alone',
      comment: 'Drivers know nothing of the log, emulators, faces or the network.',
      severity: 'error',
      from: { path: '^drivers/' },
      to: { path: '^(ledger|hardware|face|net|renderer)/' },
    },
    {
      name: 'emulators-speak-bytes-only',
      comment: 'Emulators may reuse driver codecs and transports, nothing above them.',
      severity: 'error',
      from: { path: '^hardware/' },
      to: { path: '^(ledger|face|net|renderer)/' },
    },
    {
      name: 'face-stands-alone',
      severity: 'error',
      from: { path: '^face/' },
      to: { path: '^(ledger|drivers|hardware|net|renderer)/' },
    },
    {
      name: 'net-above-ledger',
      comment: 'Replication and HQ build on the ledger and core, not on devices.',
      severity: 'error',
      from: { path: '^net/' },
      to: { path: '^(drivers|hardware|face|renderer)/' },
    },
    {
      name: 'verify-worker-loads-no-validation-library',
      comment:
        "Each of `muster ledger verify`'s workers starts with the command: it is handed its key spans and reads no record (ledger/registry.ts reads the registry).",
      severity: 'error',
      from: { path: '^ledger/verify-worker\\.ts$' },
      to: { path: '^node_modules/@sinclair/typebox/', reachable: true },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: NODE_LAYERS },
      to: { circular: true },
    },
    {
      name: 'no-circular-core',
      severity: 'error',
      from: { path: '^(core|main|renderer)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Node built-ins resolve to their bare names (`fs`): listed, or the rules on built-ins would never see them.
    includeOnly: [
      '^(core|runtime|ledger|drivers|hardware|face|net|access|main|renderer|test|bench|bin)/',
      '^node_modules/',
      `^(${builtinModules.join('|')})$`,
    ],
    exclude: { path: '^(dist|node_modules/.*/node_modules)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
