// Two HQ nodes on one PostgreSQL: the lease that runs once-per-verdict work on one of them. Exactly one node holds
// it; when the holder's session dies (its HQ crashed: the backend is terminated) the holder is told at once and the
// standby takes over within seconds; a lease given up is taken by the other; bad settings are refused.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgLease } from '../../net/hq/pg-lease.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('PgLease', () => {
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres.stop();
  });

  /** A node's view of the lease: how often it gained and lost it. */
  function node(name: string): { gained: number; lost: number; start: () => Promise<PgLease> } {
    const counts = { gained: 0, lost: 0 };
    return Object.assign(counts, {
      start: () =>
        PgLease.start({
          url: postgres.url,
          name,
          everyMs: 200,
          onAcquired: () => {
            counts.gained++;
          },
          onLost: () => {
            counts.lost++;
          },
        }),
    });
  }

  it('is held by exactly one node; a crashed holder loses it at once and the standby takes over', async () => {
    const a = node('breach-watcher');
    const b = node('breach-watcher');
    const first = await a.start();
    const second = await b.start();
    expect([first.held, second.held]).toEqual([true, false]);
    expect(a.gained).toBe(1);

    // A different lease is independent.
    const other = node('something-else');
    const third = await other.start();
    expect(third.held).toBe(true);
    await third.close();

    // The holder's HQ dies: PostgreSQL ends its session (as on a crash or a network loss).
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`,
    );
    await waitFor(() => a.lost === 1, 'the crashed holder to learn it lost the lease');
    expect(first.held).toBe(false);
    await waitFor(() => second.held || first.held, 'a node to take the lease over', 10_000);
    const holders = [first, second].filter((lease) => lease.held);
    expect(holders).toHaveLength(1);

    // Giving it up hands it to the other node.
    const holder = holders[0] === first ? first : second;
    const standby = holder === first ? second : first;
    await holder.close();
    await waitFor(() => standby.held, 'the other node to take the lease given up', 10_000);
    await standby.close();
    await admin.end();
  });

  it('refuses an empty name and reports an unreachable database without holding anything', async () => {
    await expect(
      PgLease.start({ url: postgres.url, name: '', onAcquired: () => undefined, onLost: () => undefined }),
    ).rejects.toThrow(TypeError);
    const errors: string[] = [];
    const lease = await PgLease.start({
      url: 'postgres://muster@127.0.0.1:1/postgres',
      name: 'breach-watcher',
      onAcquired: () => undefined,
      onLost: () => undefined,
      onError: (message) => errors.push(message),
    });
    expect(lease.held).toBe(false);
    expect(errors[0]).toMatch(/lease breach-watcher: .*ECONNREFUSED/);
    await lease.close();
  });
});
