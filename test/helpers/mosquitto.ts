// Starts Mosquitto as a separate process with the configuration shipped in deploy/mosquitto/, rewritten for a
// temp dir and a free loopback port: the password setting (users from a generated mosquitto_passwd file) or
// the production TLS setting (certificates from test/helpers/tls.ts).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen } from './free-port.ts';
import type { TestCertificates } from './tls.ts';

const DEPLOY = new URL('../../deploy/mosquitto/', import.meta.url);
export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** User name to password, written with mosquitto_passwd (password setting). */
  readonly users?: ReadonlyMap<string, string>;
  /** The production setting: TLS with client certificates. */
  readonly tls?: TestCertificates;
  /** A generated ACL (net/acl.ts mosquittoAcl) instead of deploy/mosquitto/acl. */
  readonly acl?: string;
  /** A generated password file (mosquittoPasswordLine lines) instead of one made from `users`. */
  readonly passwordFile?: string;
}

export interface MosquittoServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the broker (SIGTERM: it saves its persistence file) and starts it again on the same port. */
  restart(): Promise<void>;
  /** The first half of restart: the broker is gone (its port closed) until `up`. */
  down(): Promise<void>;
  /** Starts a broker stopped by `down` again, on the same port and files. */
  up(): Promise<void>;
  stop(): Promise<void>;
  /** Whatever the broker printed, for failure messages. */
  log(): string;
}

export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-mosquitto-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'data'));
  const port = await freePort();
  writeFileSync(join(dir, 'acl'), options.acl ?? readFileSync(new URL('acl', DEPLOY)));
  let config: string;
  if (options.tls) {
    for (const [name, pem] of Object.entries({
      'ca.crt': options.tls.ca,
      'broker.crt': options.tls.brokerCert,
      'broker.key': options.tls.brokerKey,
    })) {
      writeFileSync(join(dir, name), pem, { mode: 0o600 });
    }
    config = readFileSync(new URL('mosquitto.conf', DEPLOY), 'utf8').replace(
      /^listener 8883$/m,
      `listener ${port} 127.0.0.1`,
    );
  } else {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, options.passwordFile ?? '', { mode: 0o600 });
    for (const [user, password] of options.users ?? [])
      execFileSync('mosquitto_passwd', ['-b', passwd, user, password]);
    config = readFileSync(new URL('mosquitto-passwords.conf', DEPLOY), 'utf8').replace(
      /^listener 1883$/m,
      `listener ${port} 127.0.0.1`,
    );
  }
  config = config.replaceAll('/etc/mosquitto/muster/', `${dir}/`).replace('/var/lib/mosquitto/', `${dir}/data/`);
  // As root (CI) Mosquitto would switch to the `mosquitto` user, which cannot read the temp dir.
  if (process.getuid?.() === 0) config += '\nuser root\n';
  writeFileSync(join(dir, 'mosquitto.conf'), `${config}\nlog_dest stderr\nlog_type error\nlog_type warning\n`);

  let output = '';
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const started = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_, reject) => {
      started.once('exit', (code) => {
        reject(new Error(`mosquitto exited with ${code}: ${output}`));
      });
    });
    await Promise.race([portOpen(port, 10_000), exited]);
  };
  const halt = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const gone = new Promise<void>((resolve) =>
      running.once('exit', () => {
        resolve();
      }),
    );
    running.kill('SIGTERM');
    await gone;
  };
  await launch();
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    dir,
    restart: async () => {
      await halt();
      await launch();
    },
    down: halt,
    up: launch,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
