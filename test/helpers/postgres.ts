// A throwaway PostgreSQL server for tests: initdb into a temp dir and pg_ctl start on a free loopback port.
// The server gets the settings of deploy/postgresql/muster.conf. initdb refuses to run as root, so as root
// (CI's .ci/run) the server runs as the `postgres` system user.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const BIN = process.env.MUSTER_PG_BIN ?? installedBin();

/**
 * The newest server the `postgresql` package installed (Debian puts each major version under its own folder):
 * scripts/install-system-deps.sh installs whatever version the distribution ships, 15 on bookworm only.
 */
function installedBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return join(root, versions[0] ?? '15', 'bin');
}

export interface PostgresServer {
  /** Connection string for the `muster` superuser (trust auth on loopback). */
  readonly url: string;
  /** The server's data directory (a bench keeps a copy of a filled one, taken while the server is down). */
  readonly data: string;
  /** Restarts the server (fast shutdown: every connection is cut), on the same port and data. */
  restart(): void;
  /** Stops the server, keeping its data, until `up()`. */
  down(): void;
  up(): void;
  stop(): Promise<void>;
}

/** `from`: a data directory of a stopped server (a copy a bench kept) to start from instead of an empty one. */
export async function startPostgres(seed: { readonly from?: string } = {}): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[]): void => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]]
      : [join(BIN, command), args];
    execFileSync(file, argv, { stdio: 'pipe', cwd: dir });
  };
  if (seed.from) {
    // cp -a keeps the owner (postgres, as root) and the 0700 mode the server insists on.
    execFileSync('cp', ['-a', seed.from, data]);
  } else {
    run('initdb', ['-D', data, '-U', 'muster', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // The deployed settings (deploy/postgresql/muster.conf); the command line below still turns fsync off for speed.
    appendFileSync(
      join(data, 'postgresql.conf'),
      readFileSync(new URL('../../deploy/postgresql/muster.conf', import.meta.url)),
    );
  }
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', options, 'start']);
  return {
    url: `postgres://muster@127.0.0.1:${port}/postgres`,
    data,
    restart: () => {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-m', 'fast', '-w', 'restart']);
    },
    down: () => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    up: () => {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', options, 'start']);
    },
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return Promise.resolve();
    },
  };
}
