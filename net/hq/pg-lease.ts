// One holder at a time among HQ nodes sharing one PostgreSQL: a session-level advisory lock held on a connection of
// its own. Two live HQ nodes both ingest (idempotent per (origin, seq)) and serve dashboards, but work that must run
// once per verdict (the breach watcher raising alerts) runs on the lease holder only. PostgreSQL frees the lock the
// moment the holder's session ends (crash, network loss, pg_terminate_backend), and the other node takes it at its
// next try: within `everyMs` plus its jitter, so a standby takes over within a few seconds.
import pg from 'pg';
import { errorMessage } from '../../core/errors.ts';
import { backoffDelay } from '../../runtime/retry.ts';

export interface PgLeaseOptions {
  /** postgres:// connection string (the HQ store's). */
  readonly url: string;
  /** What the lease guards, e.g. 'breach-watcher'; every node must use the same name. */
  readonly name: string;
  /** How often a standby tries to take the lease and a holder checks its session (default 2000 ms, jittered). */
  readonly everyMs?: number;
  /** This node now holds the lease: start the guarded work. */
  readonly onAcquired: () => void;
  /** This node lost the lease (its session ended): stop the guarded work at once, another node may hold it now. */
  readonly onLost: () => void;
  readonly onError?: (message: string) => void;
  /**
   * A NOTIFY channel to listen on while holding the lease (LISTEN runs before onAcquired, so nothing notified
   * after the guarded work's start is missed), and what to do with each notification.
   */
  readonly listen?: { readonly channel: string; readonly onNotify: (payload: string) => void };
}

export class PgLease {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heldNow = false;
  private closed = false;

  private constructor(private readonly options: PgLeaseOptions) {}

  /** Tries at once, then keeps trying (standby) or checking (holder) until closed. */
  static async start(options: PgLeaseOptions): Promise<PgLease> {
    if (options.name === '') throw new TypeError('lease name: must not be empty');
    const lease = new PgLease(options);
    await lease.tick();
    return lease;
  }

  get held(): boolean {
    return this.heldNow;
  }

  /** Gives the lease up (ends the session, which frees the lock at once) and stops trying. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.drop();
  }

  private async tick(): Promise<void> {
    try {
      if (this.heldNow) await this.session().then((client) => client.query('SELECT 1'));
      else await this.tryAcquire();
    } catch (error) {
      this.options.onError?.(`lease ${this.options.name}: ${errorMessage(error)}`);
      await this.drop();
    }
    if (this.closed) return;
    const every = this.options.everyMs ?? 2000;
    this.timer = setTimeout(() => void this.tick(), backoffDelay({ initialMs: every, maxMs: every, jitter: 0.5 }, 0));
    this.timer.unref();
  }

  private async tryAcquire(): Promise<void> {
    const client = await this.session();
    const result = await client.query<{ held: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held',
      [`muster:${this.options.name}`],
    );
    if (result.rows[0]?.held === true && !this.closed) {
      const listen = this.options.listen;
      if (listen) await client.query(`LISTEN ${client.escapeIdentifier(listen.channel)}`);
      this.heldNow = true;
      this.options.onAcquired();
    }
  }

  private async session(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.options.url });
    // A session that ends (server restart, terminated backend) takes the lock with it: stop at once.
    client.on('error', (error) => {
      this.options.onError?.(`lease ${this.options.name}: ${errorMessage(error)}`);
      void this.drop();
    });
    client.on('notification', (message) => {
      if (this.heldNow && message.channel === this.options.listen?.channel)
        this.options.listen.onNotify(message.payload ?? '');
    });
    client.on('end', () => {
      if (this.client === client) void this.drop();
    });
    this.client = client;
    await client.connect();
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (this.heldNow) {
      this.heldNow = false;
      this.options.onLost();
    }
    await client?.end().catch(() => undefined);
  }
}
