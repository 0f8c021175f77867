// `muster hq` and `muster kiosk` as real processes on the embedded broker: a kiosk SIGKILLed while it appends
// and publishes loses nothing it committed, and HQ converges on its root once it is back.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { toBase64 } from '../../core/bytes.ts';
import { rootHash } from '../../ledger/merkle.ts';
import { loadOrCreateSigner } from '../../ledger/keys.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { MUSTER_FROM_SOURCES } from '../helpers/run-muster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const children = new Set<ChildProcessWithoutNullStreams>();
const dir = mkdtempSync(join(tmpdir(), 'muster-cli-'));
// HQ stores only logs it knows: the kiosk's key is made first and pinned with --trust.
loadOrCreateSigner(join(dir, 'k1.db.key'), 'c1/k1');
const TRUST = ['--trust', join(dir, 'k1.db.key.pub')];

function start(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<string>;
  output: () => string;
} {
  const child = spawn(process.execPath, [...MUSTER_FROM_SOURCES, ...args], { stdio: 'pipe' });
  children.add(child);
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes(' ready: '));
      if (line) resolve(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      reject(new Error(`muster ${args[0] ?? ''} exited with ${code}: ${output}`));
    });
  });
  // A process that fails on purpose never gets ready: its rejection is read only by tests that wait for it.
  ready.catch(() => undefined);
  return { child, ready, output: () => output };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) =>
        child.once('exit', (code) => {
          resolve(code);
        }),
      );
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('muster hq and muster kiosk processes', () => {
  it('refuses bad arguments with one line and exit 2', async () => {
    const bad = start(['kiosk', '--db', join(dir, 'x.db'), '--origin', 'c/k', '--broker', 'http://nope']);
    expect(await exited(bad.child)).toBe(2);
    expect(bad.output()).toMatch(/--broker must be "embedded" or mqtt:\/\/host:port/);
    const port = start(['hq', '--db', join(dir, 'x-hq.db'), '--broker', 'embedded', '--http', '99999']);
    expect(await exited(port.child)).toBe(2);
    expect(port.output()).toMatch(/--http: expected a port from 0 to 65535, got "99999"/);
  });

  it('serves the HQ dashboard with --web, and only with a user store to sign in against', async () => {
    const lonely = start([
      'hq',
      '--db',
      join(dir, 'web-hq.db'),
      '--broker',
      'embedded',
      '--mqtt-port',
      '0',
      '--http',
      '0',
      '--web',
      '0',
    ]);
    expect(await exited(lonely.child)).toBe(2);
    expect(lonely.output()).toMatch(/--web needs --users FILE/);

    const usersFile = join(dir, 'users.db');
    const users = UserStore.open(usersFile);
    await users.add({ name: 'officer-1', role: 'officer', password: 'correct horse battery' });
    users.close();
    const hq = start([
      'hq',
      '--db',
      join(dir, 'web-hq.db'),
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
      ...TRUST,
    ]);
    const dashboard = /dashboard (http:\/\/\S+)/.exec(await hq.ready)?.[1] ?? '';
    const page = await fetch(dashboard);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const origin = new URL(dashboard).origin;
    const signIn = await fetch(`${origin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ user: 'officer-1', password: 'correct horse battery' }),
    });
    expect(signIn.status).toBe(200);
    // "Export evidence" is served (HQ's SQLite store): a person with no plan is named, not an unknown method.
    const { token } = (await signIn.json()) as { token: string };
    const exported = await fetch(`${origin}/api/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'cookie': `muster_hq=${token}` },
      body: JSON.stringify({ method: 'hq.exportEvidence', params: { subject: 'p-0001', day: '2026-12-01' } }),
    });
    expect(((await exported.json()) as { error?: { code: string } }).error?.code).toBe('no-plan');
    hq.child.kill('SIGTERM');
    expect(await exited(hq.child)).toBe(0);
  });

  it('a kiosk killed mid-publish loses nothing committed; HQ converges on its root after the restart', async () => {
    const hq = start([
      'hq',
      '--db',
      join(dir, 'hq.db'),
      '--broker',
      'embedded',
      '--mqtt-port',
      '0',
      '--http',
      '0',
      ...TRUST,
    ]);
    const line = await hq.ready;
    const mqttUrl = /mqtt (mqtt:\/\/\S+)/.exec(line)?.[1] ?? '';
    const httpUrl = /http (http:\/\/\S+)/.exec(line)?.[1] ?? '';
    const kioskArgs = [
      'kiosk',
      '--db',
      join(dir, 'k1.db'),
      '--origin',
      'c1/k1',
      '--broker',
      mqttUrl,
      '--heartbeat-s',
      '1',
    ];
    const sizeAtHq = async (): Promise<number> => {
      const response = await fetch(`${httpUrl}/api/logs`);
      const { logs } = (await response.json()) as { logs: { origin: string; size: number }[] };
      return logs.find((l) => l.origin === 'c1/k1')?.size ?? 0;
    };
    const first = start([...kioskArgs, '--simulate', '400']);
    await first.ready;
    await waitFor(async () => (await sizeAtHq()) > 100, 'HQ to receive some live entries');
    first.child.kill('SIGKILL');
    await exited(first.child);

    const store = LedgerStore.open(join(dir, 'k1.db'), { readonly: true });
    const committed = store.head('c1/k1').size;
    const root = toBase64(rootHash(store.treeSource('c1/k1'), committed));
    store.close();
    const second = start(kioskArgs);
    await second.ready;
    await waitFor(async () => (await sizeAtHq()) >= committed, `HQ to hold all ${committed} committed entries`);
    const hqStore = LedgerStore.open(join(dir, 'hq.db'), { readonly: true });
    expect(toBase64(rootHash(hqStore.treeSource('c1/k1'), committed))).toBe(root);
    hqStore.close();
    await waitFor(async () => {
      const response = await fetch(`${httpUrl}/api/kiosks`);
      const { kiosks } = (await response.json()) as { kiosks: { kiosk: string; state: string }[] };
      return kiosks.find((k) => k.kiosk === 'c1/k1')?.state === 'online';
    }, 'HQ to see the kiosk online from its heartbeat');
    second.child.kill('SIGTERM');
    hq.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(await exited(hq.child)).toBe(0);
    // Three muster processes started from the sources, one after another: on a loaded machine, past 30 s.
  }, 120_000);
});
