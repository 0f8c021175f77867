// `muster hq --broker embedded` as a real process: loopback unless given the registry's broker passwords, and a
// start that fails part-way exits non-zero with nothing left listening.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigner } from '../../ledger/keys.ts';
import { mosquittoPasswordLine } from '../../net/acl.ts';
import { freePort } from '../helpers/free-port.ts';
import { MUSTER_FROM_SOURCES } from '../helpers/run-muster.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-hq-broker-'));
loadOrCreateSigner(join(dir, 'k1.key'), 'c1/k1');
const pub = join(dir, 'k1.key.pub');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs muster until it prints its ready line (then SIGTERM) or exits; the exit code and output. */
function run(args: string[], onReady?: () => Promise<void>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...MUSTER_FROM_SOURCES, ...args], { stdio: 'pipe' });
  let output = '';
  let readySeen = false;
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (!readySeen && output.includes(' ready: ')) {
      readySeen = true;
      void (onReady ?? (() => Promise.resolve()))().finally(() => child.kill('SIGTERM'));
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      resolve({ code, output });
    }),
  );
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

// Each test starts muster from the sources (tsx): slow on a loaded machine, so a longer limit than the default.
describe('muster hq --broker embedded', { timeout: 120_000 }, () => {
  it('refuses to start without a registry or pinned kiosks: it would store any log on first sight', async () => {
    const { code, output } = await run([
      'hq',
      '--db',
      join(dir, 'none.db'),
      '--broker',
      'embedded',
      '--mqtt-port',
      String(await freePort()),
      '--http',
      '0',
    ]);
    expect(code).toBe(2);
    expect(output).toMatch(/--registry FILE .* or --trust FILE/);
  });

  it("refuses a non-loopback broker address without the registry's broker passwords", async () => {
    const { code, output } = await run([
      'hq',
      '--db',
      join(dir, 'a.db'),
      '--trust',
      pub,
      '--broker',
      'embedded',
      '--mqtt-port',
      String(await freePort()),
      '--mqtt-host',
      '0.0.0.0',
      '--http',
      '0',
    ]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/only with broker passwords/);
  });

  it('exits non-zero and leaves nothing listening when a later port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const httpPort = (taken.address() as { port: number }).port;
    const mqttPort = await freePort();
    try {
      const { code, output } = await run([
        'hq',
        '--db',
        join(dir, 'b.db'),
        '--trust',
        pub,
        '--broker',
        'embedded',
        '--mqtt-port',
        String(mqttPort),
        '--http',
        String(httpPort),
      ]);
      expect(code, output).not.toBe(0);
      expect(await listening(mqttPort)).toBe(false);
    } finally {
      taken.close();
    }
  });

  it('on 0.0.0.0 with broker passwords admits a provisioned kiosk with its password only', async () => {
    const passwords = join(dir, 'passwd');
    writeFileSync(passwords, `${mosquittoPasswordLine('c1/k1', 'k1-secret-password')}\n`, { mode: 0o600 });
    const mqttPort = await freePort();
    const outcomes: string[] = [];
    const attempt = async (password: string): Promise<void> => {
      const client = await mqtt
        .connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
          clientId: 'c1~k1',
          username: 'c1~k1',
          password,
          protocolVersion: 4,
          reconnectPeriod: 0,
        })
        .then(
          (c) => c,
          () => undefined,
        );
      outcomes.push(client ? 'admitted' : 'refused');
      await client?.endAsync();
    };
    const { code, output } = await run(
      [
        'hq',
        '--db',
        join(dir, 'c.db'),
        '--trust',
        pub,
        '--broker',
        'embedded',
        '--mqtt-port',
        String(mqttPort),
        '--mqtt-host',
        '0.0.0.0',
        '--broker-passwords',
        passwords,
        '--http',
        '0',
      ],
      async () => {
        await attempt('wrong password here');
        await attempt('k1-secret-password');
      },
    );
    expect(code, output).toBe(0);
    expect(outcomes).toEqual(['refused', 'admitted']);
  });
});
