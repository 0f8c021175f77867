// Attacks without credentials, each against its quiet baseline measured in the same run:
// - a real sign-in (scrypt N=2^15) while 30 clients of another address flood wrong sign-ins, against the same
//   sign-in with nobody else asking (goal: within 2x);
// - the resident memory of a process running the embedded broker (as `muster hq --broker embedded` does) while 4
//   connections stream a CONNECT that declares 256 MB, against the same process idle (goal: within 50 MB).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, serveSessions } from '../access/http-server.ts';
import { UserStore } from '../access/user-store.ts';
import type { Suite } from './suites.ts';

const PASSWORD = 'benchmark password';
const FLOOD_CLIENTS = 30;
const SAMPLES = 5;
const SLOW_CONNECTIONS = 4;

export const securitySuite: Suite = {
  name: 'security',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-security-'));
    try {
      const { quietMs, floodMs } = await signInUnderFlood(join(dir, 'users.db'));
      const quiet = 'security: sign-in, quiet (median of 5, ms)';
      report.add(quiet, quietMs, 'ms');
      report.add(
        `security: sign-in while ${FLOOD_CLIENTS} clients flood wrong sign-ins (median of 5, ms)`,
        floodMs,
        'ms',
        quiet,
      );
      const { idleMb, attackedMb } = await brokerMemoryUnderSlowConnects();
      const idle = 'security: embedded-broker process RSS, idle (MB)';
      report.add(idle, idleMb, 'MB');
      report.add(
        `security: same, ${SLOW_CONNECTIONS} connections streaming a 256 MB CONNECT (MB)`,
        attackedMb,
        'MB',
        idle,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function signInUnderFlood(path: string): Promise<{ quietMs: number; floodMs: number }> {
  const users = UserStore.open(path);
  await users.add({ name: 'sam', role: 'officer', password: PASSWORD });
  const server = createHttpServer({ isApi: () => true, bodyLimit: 4096, component: 'bench' });
  serveSessions(server, users);
  await server.listen();
  const { port } = server;
  const post = (localAddress: string, user: string, password: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/session', method: 'POST', localAddress, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => {
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ user, password }));
    });
  const median = async (): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const start = performance.now();
      const status = await post('127.0.0.1', 'sam', PASSWORD);
      if (status !== 200) throw new Error(`bench: the real sign-in answered ${status}`);
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)] ?? 0;
  };
  try {
    const quietMs = await median();
    let flooding = true;
    // Each flood client asks again as soon as it is answered, from one other loopback address, for names that are no
    // account (a flood on the real account would lock it: the lockout's known price, SECURITY.md).
    const flood = Array.from({ length: FLOOD_CLIENTS }, async (_, i) => {
      while (flooding) await post('127.0.0.2', `nobody${i}`, 'wrong password guess').catch(() => 0);
    });
    const floodMs = await median();
    flooding = false;
    await Promise.all(flood);
    return { quietMs, floodMs };
  } finally {
    await server.close();
    users.close();
  }
}

/** A child process with the embedded broker; it prints its URL, then its RSS (after a GC) for each line it reads. */
async function brokerMemoryUnderSlowConnects(): Promise<{ idleMb: number; attackedMb: number }> {
  const code = `const { startEmbeddedBroker } = await import(${JSON.stringify(new URL('../net/embedded-broker.ts', import.meta.url).href)});
const broker = await startEmbeddedBroker({ port: 0, users: new Map([['hq', 'hq-password']]), alertPublishers: new Set(['hq']) });
process.stdout.write(broker.port + '\\n');
process.stdin.on('data', () => { globalThis.gc?.(); process.stdout.write(process.memoryUsage().rss + '\\n'); });`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk
      .toString()
      .split('\n')
      .filter((l) => l !== '')) {
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve) => {
      const line = lines.shift();
      if (line !== undefined) resolve(line);
      else waiting.push(resolve);
    });
  const rssMb = async (): Promise<number> => {
    child.stdin?.write('\n');
    return Number(await nextLine()) / 2 ** 20;
  };
  try {
    const port = Number(await nextLine());
    const idleMb = await rssMb();
    // Each connection declares a 256 MB CONNECT and streams 64 MB of it, as fast as the broker reads.
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    const attacks = Array.from(
      { length: SLOW_CONNECTIONS },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
            let sent = 0;
            const pump = (): void => {
              while (sent < 64 && !socket.destroyed) {
                sent++;
                if (!socket.write(chunk)) {
                  socket.once('drain', pump);
                  return;
                }
              }
            };
            pump();
          });
          socket.on('error', () => undefined);
          socket.on('close', () => {
            resolve();
          });
          // A connection the broker keeps open is measured while it is held, then dropped.
          setTimeout(() => socket.destroy(), 5000).unref();
        }),
    );
    const peak = await Promise.race([
      Promise.all(attacks).then(() => rssMb()),
      new Promise<number>((resolve) =>
        setTimeout(() => {
          void rssMb().then(resolve);
        }, 4000),
      ),
    ]);
    await Promise.all(attacks);
    return { idleMb, attackedMb: peak };
  } finally {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
}
