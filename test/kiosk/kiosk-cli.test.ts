// `muster kiosk run`: a kiosk process from its configuration file, here on emulated devices, with its kiosk
// screen; a wrong configuration fails at start naming the field.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { MUSTER_FROM_SOURCES, runMuster } from '../helpers/run-muster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-cli-'));
let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', alertPublishers: new Set(['hq']) });
});
afterAll(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      centre: 'centre-a',
      kiosk: 'centre-a/k1',
      dataDir: `${name}.data`,
      broker: { url: broker.url },
      face: { threshold: 0.42 },
      devices: { fingerprint: { family: 'r30x', path: '/dev/serial/by-id/usb-not-here' } },
      ...extra,
    }),
  );
  return file;
}

describe('muster kiosk run', () => {
  it('refuses a wrong configuration with the field and exit 1', async () => {
    const run = await runMuster(['kiosk', 'run', '--config', config('bad.json', { face: { threshold: 'strict' } })]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bad.json: face.threshold: expected a number');
  });

  it(
    'runs on emulated devices with the configured threshold, serves the kiosk and staff screens, stops on SIGINT',
    { timeout: 120_000 },
    async () => {
      const usersFile = join(dir, 'users.db');
      const users = UserStore.open(usersFile);
      await users.add({ name: 'sam', role: 'staff', centres: ['centre-a'], password: 'correct horse battery' });
      users.close();
      const child = spawn(
        process.execPath,
        [
          ...MUSTER_FROM_SOURCES,
          'kiosk',
          'run',
          '--config',
          config('good.json'),
          '--emulate',
          '--web',
          '0',
          '--users',
          usersFile,
        ],
        { stdio: 'pipe' },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit');
      try {
        const ready = await waitFor(
          () => output.split('\n').find((l) => l.includes(' ready: ')),
          'the ready line',
          90_000,
        );
        expect(ready).toContain(
          'kiosk centre-a/k1 ready: devices fingerprint ok, camera ok, badge ok; face threshold 0.42; log size 4',
        );
        const url = /kiosk screen (http:\/\/\S+?)(,|$)/.exec(ready)?.[1];
        expect(new URL(url ?? '').pathname).toBe('/kiosk');
        expect((await fetch(url ?? '')).status).toBe(200);
        // The staff screen serves "Export evidence": a person with no plan is named, not an unknown method.
        const origin = new URL(/staff screen (http:\/\/\S+)/.exec(ready)?.[1] ?? '').origin;
        const signIn = await fetch(`${origin}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin },
          body: JSON.stringify({ user: 'sam', password: 'correct horse battery' }),
        });
        const { token } = (await signIn.json()) as { token: string };
        const exported = await fetch(`${origin}/api/call`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin, 'cookie': `muster_staff=${token}` },
          body: JSON.stringify({ method: 'staff.exportEvidence', params: { subject: 'p-0001', day: '2026-12-01' } }),
        });
        expect(((await exported.json()) as { error?: { code: string } }).error?.code).toBe('no-plan');
      } finally {
        child.kill('SIGINT');
      }
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(output).toContain('kiosk stopping (SIGINT)');
    },
  );

  it(
    'a SIGTERM during start-up is a clean stop once the runtime is up (exit 0), never exit 143',
    { timeout: 120_000 },
    async () => {
      const child = spawn(
        process.execPath,
        [...MUSTER_FROM_SOURCES, 'kiosk', 'run', '--config', config('starting.json'), '--emulate'],
        { stdio: 'pipe' },
      );
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit');
      let signalled = false;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!signalled && output.includes('kiosk centre-a/k1 starting')) {
          signalled = true;
          child.kill('SIGTERM');
        }
      });
      const [code, signal] = (await exited) as [number | null, string | null];
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(output).toContain('kiosk stopping (SIGTERM)');
    },
  );
});
