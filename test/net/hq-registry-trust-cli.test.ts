// `muster hq --registry FILE` as a process: its screens trust the registry log only from the registry file's
// genesis key, and a kiosk log only under the key that registry binds. Logs in HQ's own store re-signed at rest
// under another key (rows rewritten by someone with the database) are problems: a kiosk's is shown on the
// dashboard in place of every verdict it could change; a registry's leaves no verdict standing, and the fleet view
// and HQ's log name it and the logs it no longer binds. Untouched, the same store gives the verdict.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import type { FindingView } from '../../core/api/staff-api.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { planPayload } from '../checkin/support/log-builder.ts';
import { MUSTER_FROM_SOURCES } from '../helpers/run-muster.ts';
import { resignLog } from '../helpers/tamper-store.ts';
import { waitFor } from '../helpers/wait-for.ts';

const KIOSK = 'centre-a/k1';
const STAFF = 'centre-a/staff';
const PASSWORD = 'correct horse battery';
const dir = mkdtempSync(join(tmpdir(), 'muster-hq-registry-trust-'));
const children = new Set<ChildProcessWithoutNullStreams>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A signed log in its own file; its leaves are what a node would hand HQ. */
function signedLog(origin: string): { writer: LogWriter; store: LedgerStore; key: Uint8Array } {
  const signer = Signer.generate(origin);
  const store = LedgerStore.open(join(dir, `${origin.replace(/\//g, '_')}.db`), { create: true });
  return { writer: LogWriter.init(store, origin, signer), store, key: signer.verifier.publicKey };
}

function leaves(store: LedgerStore, origin: string): Uint8Array[] {
  return store.rangeAll(origin, 0, store.head(origin).size).map((row) => row.leaf);
}

/** Starts `muster hq` and signs in to its dashboard as an officer; `breaches` calls hq.breaches. */
async function startHq(args: readonly string[]): Promise<{
  breaches: () => Promise<FindingView[]>;
  call: (method: string) => Promise<unknown>;
  output: () => string;
  stop: () => Promise<void>;
}> {
  const child = spawn(process.execPath, [...MUSTER_FROM_SOURCES, 'hq', ...args], { stdio: 'pipe' });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = await waitFor(
    () => (child.exitCode !== null ? 'exited' : output.split('\n').find((l) => l.includes(' ready: '))),
    'hq to be ready',
    120_000,
  );
  if (ready === 'exited') throw new Error(`muster hq exited ${child.exitCode}: ${output}`);
  const origin = new URL(/dashboard (http:\/\/\S+)/.exec(ready)?.[1] ?? '').origin;
  const signIn = await fetch(`${origin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ user: 'officer-1', password: PASSWORD }),
  });
  const { token } = (await signIn.json()) as { token: string };
  const call = async (method: string): Promise<unknown> => {
    const response = await fetch(`${origin}/api/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'cookie': `muster_hq=${token}` },
      body: JSON.stringify({ method, params: {} }),
    });
    const body = (await response.json()) as { result?: unknown; error?: unknown };
    if (body.result === undefined) throw new Error(`${method} failed: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  return {
    output: () => output,
    call,
    breaches: async () => ((await call('hq.breaches')) as { breaches: FindingView[] }).breaches,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('muster hq trusts the registry only from its registry file', () => {
  it('logs re-signed in its store under keys the registry file does not bind: problems, never verdicts', async () => {
    // HQ's registry registers the centre's staff log and kiosk; the staff log plans s-1 from three days ago, and
    // s-1 never checks in: untampered, HQ shows s-1's missed check-ins as open breaches.
    const registry = signedLog(REGISTRY_ORIGIN);
    const staff = signedLog(STAFF);
    const kiosk = signedLog(KIOSK);
    for (const [origin, key, staffLog] of [
      [STAFF, staff.key, true],
      [KIOSK, kiosk.key, false],
    ] as const)
      await registry.writer.append('kiosk-registration', {
        origin,
        centre: 'centre-a',
        key,
        ...(staffLog ? { staffLog } : {}),
      });
    const today = parseDay(new Date().toISOString().slice(0, 10)) as number;
    await staff.writer.append('plan', planPayload({ subject: 's-1', start: formatDay(today - 3), zone: 'UTC' }));
    const hqFile = join(dir, 'hq.db');
    const store = SqliteHqStore.open(hqFile);
    for (const [log, origin] of [
      [registry, REGISTRY_ORIGIN],
      [staff, STAFF],
      [kiosk, KIOSK],
    ] as const) {
      expect(await store.ingest(origin, leaves(log.store, origin), 'test')).toMatchObject({ rejected: [] });
      if (origin !== REGISTRY_ORIGIN) log.store.close();
    }
    await store.close();
    registry.store.close();
    const usersFile = join(dir, 'users.db');
    const users = UserStore.open(usersFile);
    await users.add({ name: 'officer-1', role: 'officer', password: PASSWORD });
    users.close();
    const args = [
      '--db',
      hqFile,
      '--registry',
      registry.store.path,
      '--broker',
      'embedded',
      '--mqtt-port',
      '0',
      '--http',
      '0',
      '--web',
      '0',
      '--users',
      usersFile,
    ];

    const untouched = await startHq(args);
    try {
      const breaches = await waitFor(async () => {
        const list = await untouched.breaches();
        return list.length > 0 ? list : undefined;
      }, 'HQ to judge s-1');
      expect(breaches.every((b) => b.subject === 's-1' && b.status === 'open')).toBe(true);
    } finally {
      await untouched.stop();
    }

    // A kiosk log under a key the trusted registry does not bind: every verdict it could change shows the problem.
    resignLog(hqFile, Signer.generate(KIOSK));
    const rogueKiosk = await startHq(args);
    try {
      const breaches = await waitFor(async () => {
        const list = await rogueKiosk.breaches();
        return list.length > 0 ? list : undefined;
      }, 'HQ to answer with findings');
      for (const b of breaches) {
        expect(b.status).toBe('unverified');
        expect(b.detail).toMatch(
          new RegExp(`^not judged: entry ${KIOSK}#0 failed verification \\(genesis key is not the key registered`),
        );
      }
    } finally {
      await rogueKiosk.stop();
    }

    // The registry itself re-signed: it is refused against the registry file's key, and with it every log it
    // would bind, so no verdict stands; HQ's breach watcher names the registry in its log.
    resignLog(hqFile, Signer.generate(REGISTRY_ORIGIN));
    const rogueRegistry = await startHq(args);
    try {
      await waitFor(
        () =>
          rogueRegistry.output().includes('entries withheld') &&
          rogueRegistry.output().includes(`"origin":"${REGISTRY_ORIGIN}"`) &&
          /"reason":"genesis key is not the trusted key/.test(rogueRegistry.output()),
        'HQ to log the withheld registry',
      );
      expect((await rogueRegistry.breaches()).filter((b) => b.status !== 'unverified')).toEqual([]);
      // The fleet view names each withheld log: the registry against its trusted key, the logs it no longer binds.
      const fleet = (await rogueRegistry.call('hq.fleet')) as {
        logs: { origin: string; unverified?: { seq: number; kind: string; reason: string; after: number | null } }[];
      };
      const unverified = new Map(fleet.logs.map((l) => [l.origin, l.unverified]));
      expect(unverified.get(REGISTRY_ORIGIN)).toEqual({
        seq: 0,
        kind: 'registry-refused',
        after: null,
        reason: expect.stringMatching(/genesis key is not the trusted key/) as unknown,
      });
      for (const origin of [STAFF, KIOSK])
        expect(unverified.get(origin)).toEqual({
          seq: 0,
          kind: 'unregistered-key',
          after: null,
          reason: expect.stringMatching(/not a registered kiosk/) as unknown,
        });
    } finally {
      await rogueRegistry.stop();
    }
  }, 300_000);
});
