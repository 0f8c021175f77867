// HqStore on PostgreSQL, for a province-scale HQ: the same contract as the SQLite backend (one conformance
// suite runs against both). Ingest (net/hq/postgres-ingest.ts) writes one group of batches per transaction under
// advisory locks per origin taken in a fixed order, so several HQ processes share the database; the Merkle tree is
// kept as perfect subtrees (as the ledger's SQLite store does) so roots and proofs need O(log n) rows.
import pg from 'pg';
import { MusterError } from '../../core/errors.ts';
import { ZERO_HASH } from '../../core/entry.ts';
import { EMPTY_ROOT } from '../../ledger/hash.ts';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import type { Verifier } from '../../ledger/keys.ts';
import { type TreeSource, consistencyProof, rootHash } from '../../ledger/merkle.ts';
import type { IngestResult } from '../../ledger/replica.ts';
import type { Conflict, EntryRow } from '../../ledger/store.ts';
import type { EntryRange } from '../../ledger/verified-reader.ts';
import type { Alert, StoredAlert } from '../alerts.ts';
import { type AlertChange, type BreachAlert, parseStoredAlert, parseStoredAlerts } from './breach-alert.ts';
import { type Heartbeat, type KioskState, decodeHeartbeat, encodeHeartbeat } from '../heartbeat.ts';
import { type IngestBatch, type WitnessUpdate, type WitnessedCheckpoint, ingestOne } from '../replica-store.ts';
import type { FleetEpisode, HqStore, LastHeartbeat, StoredDowntime } from './hq-store.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { PostgresIngest, readHead } from './postgres-ingest.ts';

type Queryable = pg.Pool | pg.PoolClient;

/** An entries row as the driver returns it (bigints as strings). */
interface StoredRow {
  readonly seq: string;
  readonly ts: string;
  readonly type: string;
  readonly leaf: Buffer;
  readonly hash: Buffer;
}

function entryRow(r: StoredRow): EntryRow {
  return { seq: Number(r.seq), ts: Number(r.ts), type: r.type, leaf: r.leaf, hash: r.hash };
}

export { ENTRIES_CHANNEL, entriesNotice } from './postgres-ingest.ts';

/**
 * NOTIFY channel: every alert stored or changed, whichever HQ node did it, sent on commit as `fleet <id>` or
 * `breach <version> <id>` (the id last: it may hold spaces).
 */
export const ALERTS_CHANNEL = 'muster_alerts';

export type AlertNotice =
  | { readonly kind: 'fleet'; readonly id: number }
  | { readonly kind: 'breach'; readonly id: string; readonly version: number };

/** A notice on ALERTS_CHANNEL, or undefined for anything else (never trusted beyond naming what to read). */
export function alertNotice(payload: string): AlertNotice | undefined {
  const fleet = /^fleet (\d{1,15})$/.exec(payload);
  if (fleet) return { kind: 'fleet', id: Number(fleet[1]) };
  const breach = /^breach (\d{1,9}) (.+)$/s.exec(payload);
  if (breach?.[2] !== undefined) return { kind: 'breach', id: breach[2], version: Number(breach[1]) };
  return undefined;
}

export interface PostgresHqStoreOptions {
  /** Told of an idle connection the server dropped (a restart); the store carries on with a new connection. */
  readonly onConnectionError?: (error: Error) => void;
  /** Without onConnectionError, a lost connection is a warning here (default: the process logger's `hq-store` child). */
  readonly logger?: Logger;
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  readonly clock?: () => number;
}

export class PostgresHqStore implements HqStore {
  private readonly ingestion: PostgresIngest;

  private constructor(
    private readonly pool: pg.Pool,
    options: PostgresHqStoreOptions,
  ) {
    this.ingestion = new PostgresIngest(pool, { trustedKeys: options.trustedKeys, clock: options.clock });
  }

  static async open(url: string, options: PostgresHqStoreOptions = {}): Promise<PostgresHqStore> {
    // Ingest holds one connection per group transaction; a witness group's checkpoints and the watcher read beside it.
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection the server drops (a PostgreSQL restart, a failover) is an 'error' on the pool: without a
    // listener it would end HQ. The pool discards that connection and opens a new one for the next query.
    pool.on('error', (error) => {
      if (options.onConnectionError) options.onConnectionError(error);
      else
        (options.logger ?? componentLogger('hq-store')).warn(
          { err: error },
          'PostgreSQL connection lost while idle (it reconnects on the next query)',
        );
    });
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end();
      if (error instanceof MusterError) throw error;
      throw new MusterError('store-unreadable', `cannot prepare the HQ database: ${(error as Error).message}`);
    }
    return new PostgresHqStore(pool, options);
  }

  ingest(origin: string, leaves: readonly Uint8Array[], source: string): Promise<IngestResult> {
    return ingestOne(this, origin, leaves, source);
  }

  /** One transaction per call, in call order (net/hq/postgres-ingest.ts). */
  ingestMany(batches: readonly IngestBatch[]): Promise<PromiseSettledResult<IngestResult>[]> {
    return this.ingestion.ingestMany(batches);
  }

  async size(origin: string): Promise<number> {
    return (await readHead(this.pool, origin)).size;
  }

  /**
   * Every log with the size the verified reader must find, in one query (its pass reads them all:
   * net/hq/verified-records.ts): the highest row's, or the witnessed checkpoint's where rows were deleted past it;
   * a log witnessed and then deleted whole (its row in logs too) is listed with the size witnessed.
   */
  async sizes(): Promise<Map<string, number>> {
    const rows = await this.pool.query<{ origin: string; size: string }>(
      `SELECT l.origin, greatest(coalesce(h.seq + 1, 0), coalesce(w.size, 0)) AS size
         FROM (SELECT origin FROM logs UNION SELECT origin FROM witnessed) l
         LEFT JOIN LATERAL (SELECT seq FROM entries e WHERE e.origin = l.origin ORDER BY seq DESC LIMIT 1) AS h ON true
         LEFT JOIN witnessed w ON w.origin = l.origin
         ORDER BY l.origin`,
    );
    return new Map(rows.rows.map((r) => [r.origin, Number(r.size)]));
  }

  async leaves(origin: string, from: number, to: number): Promise<Uint8Array[]> {
    const rows = await this.pool.query<{ leaf: Buffer }>(
      'SELECT leaf FROM entries WHERE origin = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
      [origin, from, to],
    );
    return rows.rows.map((r) => r.leaf);
  }

  async rows(origin: string, from: number, to: number): Promise<EntryRow[]> {
    const rows = await this.pool.query<StoredRow>(
      'SELECT seq, ts, type, leaf, hash FROM entries WHERE origin = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
      [origin, from, to],
    );
    return rows.rows.map(entryRow);
  }

  /**
   * Rows of several ranges in one query, each range's as `rows` gives them: the verified reader's sweep visits many
   * small logs per call (a province's), a round trip each before.
   */
  async rowsMany(ranges: readonly EntryRange[]): Promise<EntryRow[][]> {
    const result = await this.pool.query<StoredRow & { i: string }>(
      `SELECT w.i, e.seq, e.ts, e.type, e.leaf, e.hash
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS w(origin, low, high, i)
         JOIN entries e ON e.origin = w.origin AND e.seq >= w.low AND e.seq < w.high
         ORDER BY w.i, e.seq`,
      [ranges.map((r) => r.origin), ranges.map((r) => r.start), ranges.map((r) => r.end)],
    );
    const out = ranges.map((): EntryRow[] => []);
    for (const row of result.rows) out[Number(row.i) - 1]?.push(entryRow(row));
    return out;
  }

  async root(origin: string, size: number): Promise<Uint8Array> {
    if (size === 0) return EMPTY_ROOT;
    return this.withTree(origin, size, (source) => rootHash(source, size));
  }

  async consistencyProof(origin: string, oldSize: number, newSize: number): Promise<Uint8Array[]> {
    return this.withTree(origin, newSize, (source) => consistencyProof(source, oldSize, newSize));
  }

  verifiers(origin: string): Promise<Verifier[]> {
    return this.ingestion.verifiers(origin);
  }

  async origins(): Promise<string[]> {
    return (await this.pool.query<{ origin: string }>('SELECT origin FROM logs ORDER BY origin')).rows.map(
      (r) => r.origin,
    );
  }

  async witnessedOrigins(): Promise<string[]> {
    return (await this.pool.query<{ origin: string }>('SELECT origin FROM witnessed ORDER BY origin')).rows.map(
      (r) => r.origin,
    );
  }

  async witnessed(origin: string): Promise<WitnessedCheckpoint | undefined> {
    const row = (
      await this.pool.query<{ size: string; root: Buffer; note: string; at: string }>(
        'SELECT size, root, note, at FROM witnessed WHERE origin = $1',
        [origin],
      )
    ).rows[0];
    return row && { size: Number(row.size), root: row.root, note: row.note, at: Number(row.at) };
  }

  async setWitnessed(origin: string, next: WitnessedCheckpoint, previousSize: number | undefined): Promise<boolean> {
    const args = [origin, next.size, Buffer.from(next.root), next.note, next.at];
    const result =
      previousSize === undefined
        ? await this.pool.query(
            'INSERT INTO witnessed (origin, size, root, note, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
            args,
          )
        : await this.pool.query(
            'UPDATE witnessed SET size = $2, root = $3, note = $4, at = $5 WHERE origin = $1 AND size = $6',
            [...args, previousSize],
          );
    return result.rowCount === 1;
  }

  /**
   * Updates of distinct logs in one statement (a witness group's checkpoints: one round trip, not one each); a log
   * named twice is judged against what the update before it stored, so such a call goes one update at a time.
   */
  async setWitnessedMany(updates: readonly WitnessUpdate[]): Promise<boolean[]> {
    if (new Set(updates.map((u) => u.origin)).size < updates.length) {
      const stored: boolean[] = [];
      for (const u of updates) stored.push(await this.setWitnessed(u.origin, u.next, u.previousSize));
      return stored;
    }
    const rows = await this.pool.query<{ origin: string }>(
      `WITH u AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::text[], $5::bigint[], $6::bigint[])
                    AS t(origin, size, root, note, at, previous)),
         updated AS (UPDATE witnessed w SET size = u.size, root = u.root, note = u.note, at = u.at FROM u
                      WHERE u.previous IS NOT NULL AND w.origin = u.origin AND w.size = u.previous RETURNING w.origin),
         inserted AS (INSERT INTO witnessed (origin, size, root, note, at)
                        SELECT origin, size, root, note, at FROM u WHERE previous IS NULL
                        ON CONFLICT DO NOTHING RETURNING origin)
       SELECT origin FROM updated UNION ALL SELECT origin FROM inserted`,
      [
        updates.map((u) => u.origin),
        updates.map((u) => u.next.size),
        updates.map((u) => Buffer.from(u.next.root)),
        updates.map((u) => u.next.note),
        updates.map((u) => u.next.at),
        updates.map((u) => u.previousSize ?? null),
      ],
    );
    const stored = new Set(rows.rows.map((r) => r.origin));
    return updates.map((u) => stored.has(u.origin));
  }

  async conflicts(origin: string): Promise<Conflict[]> {
    const rows = await this.pool.query<{ seq: string; leaf: Buffer; hash: Buffer; seen_at: string; source: string }>(
      'SELECT seq, leaf, hash, seen_at, source FROM conflicts WHERE origin = $1 ORDER BY seq, seen_at',
      [origin],
    );
    return rows.rows.map((r) => ({
      seq: Number(r.seq),
      leaf: r.leaf,
      hash: r.hash,
      seenAt: Number(r.seen_at),
      source: r.source,
    }));
  }

  async recordAlert(alert: Alert): Promise<StoredAlert> {
    // The notice goes out on commit: every HQ node's screens show the alert (net/hq/pg-alert-feed.ts).
    const row = await this.pool.query<{ id: string }>(
      `WITH a AS (INSERT INTO alerts (kind, kiosk, center, at, summary, evidence) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
       SELECT id, pg_notify($7, 'fleet ' || id) FROM a`,
      [alert.kind, alert.kiosk, alert.center, alert.at, alert.summary, JSON.stringify(alert.evidence), ALERTS_CHANNEL],
    );
    return { ...alert, id: Number(row.rows[0]?.id) };
  }

  async recordAlertOnce(alert: Alert, key: string): Promise<StoredAlert | undefined> {
    // Only an alert inserted sends the notice: the CTE's row is there only then.
    const row = await this.pool.query<{ id: string }>(
      `WITH a AS (INSERT INTO alerts (kind, kiosk, center, at, summary, evidence, once_key) VALUES ($1, $2, $3, $4, $5, $6, $8)
         ON CONFLICT (once_key) DO NOTHING RETURNING id)
       SELECT id, pg_notify($7, 'fleet ' || id) FROM a`,
      [
        alert.kind,
        alert.kiosk,
        alert.center,
        alert.at,
        alert.summary,
        JSON.stringify(alert.evidence),
        ALERTS_CHANNEL,
        key,
      ],
    );
    const id = row.rows[0]?.id;
    return id === undefined ? undefined : { ...alert, id: Number(id) };
  }

  async alerts(afterId: number, limit: number): Promise<StoredAlert[]> {
    const rows = await this.pool.query<{
      id: string;
      kind: Alert['kind'];
      kiosk: string;
      center: string;
      at: string;
      summary: string;
      evidence: Record<string, unknown>;
    }>('SELECT id, kind, kiosk, center, at, summary, evidence FROM alerts WHERE id > $1 ORDER BY id LIMIT $2', [
      afterId,
      limit,
    ]);
    return rows.rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
  }

  /** One transaction: new alerts inserted together (a node that lost the race gets false), updates by compare-and-set. */
  async applyAlertChanges(changes: readonly AlertChange[]): Promise<boolean[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserts = changes.filter((c) => c.expectedVersion === null).map((c) => c.alert);
      const inserted = new Set<string>();
      if (inserts.length > 0) {
        const rows = await client.query<{ id: string }>(
          `INSERT INTO breach_alerts (id, subject, centres, raised_at, version, body)
           SELECT id, subject, ARRAY(SELECT jsonb_array_elements_text(centres::jsonb)), raised_at, version, body
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[]) AS t(id, subject, centres, raised_at, version, body)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [
            inserts.map((a) => a.id),
            inserts.map((a) => a.subject),
            inserts.map((a) => JSON.stringify(a.centres)),
            inserts.map((a) => a.raisedAt),
            inserts.map((a) => a.version),
            inserts.map((a) => JSON.stringify(a)),
          ],
        );
        for (const r of rows.rows) inserted.add(r.id);
      }
      const applied: boolean[] = [];
      for (const { alert, expectedVersion } of changes) {
        if (expectedVersion === null) {
          applied.push(inserted.has(alert.id));
          continue;
        }
        const result = await client.query(
          'UPDATE breach_alerts SET version = $1, body = $2 WHERE id = $3 AND version = $4',
          [alert.version, JSON.stringify(alert), alert.id, expectedVersion],
        );
        applied.push(result.rowCount === 1);
      }
      const notices = changes.filter((_, i) => applied[i]).map(({ alert }) => `breach ${alert.version} ${alert.id}`);
      if (notices.length > 0)
        await client.query('SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n', [ALERTS_CHANNEL, notices]);
      await client.query('COMMIT');
      return applied;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async breachAlert(id: string): Promise<BreachAlert | undefined> {
    const rows = await this.pool.query<{ body: string }>('SELECT body FROM breach_alerts WHERE id = $1', [id]);
    const row = rows.rows[0];
    return row ? parseStoredAlert(id, row.body) : undefined;
  }

  async breachAlerts(query: { readonly centre?: string; readonly limit: number }): Promise<BreachAlert[]> {
    const limit = Math.min(query.limit, Number.MAX_SAFE_INTEGER);
    const rows =
      query.centre === undefined
        ? await this.pool.query<{ id: string; body: string }>(
            'SELECT id, body FROM breach_alerts ORDER BY raised_at DESC, id LIMIT $1',
            [limit],
          )
        : await this.pool.query<{ id: string; body: string }>(
            'SELECT id, body FROM breach_alerts WHERE $1 = ANY(centres) ORDER BY raised_at DESC, id LIMIT $2',
            [query.centre, limit],
          );
    return parseStoredAlerts(rows.rows);
  }

  async unpublishedAlerts(limit: number): Promise<BreachAlert[]> {
    const rows = await this.pool.query<{ id: string; body: string }>(
      'SELECT id, body FROM breach_alerts WHERE published < version ORDER BY raised_at, id LIMIT $1',
      [limit],
    );
    return parseStoredAlerts(rows.rows);
  }

  async markAlertPublished(id: string, version: number): Promise<void> {
    await this.pool.query('UPDATE breach_alerts SET published = $2 WHERE id = $1 AND published < $2', [id, version]);
  }

  async recordDowntime(span: StoredDowntime): Promise<void> {
    await this.pool.query(
      'INSERT INTO downtime (kiosk, since, until, note) VALUES ($1, $2, $3, $4) ON CONFLICT (kiosk, since) DO UPDATE SET until = EXCLUDED.until, note = EXCLUDED.note',
      [span.kiosk, span.from, span.to, span.note],
    );
  }

  async downtime(): Promise<StoredDowntime[]> {
    const rows = await this.pool.query<{ kiosk: string; since: string; until: string | null; note: string }>(
      'SELECT * FROM downtime ORDER BY kiosk, since',
    );
    return rows.rows.map((r) => ({
      kiosk: r.kiosk,
      from: Number(r.since),
      to: r.until === null ? null : Number(r.until),
      note: r.note,
    }));
  }

  async noteFleetState(kiosk: string, state: KioskState, at: number): Promise<FleetEpisode> {
    // The row is locked by the upsert, so nodes noting together agree; a refused change returns no row: read it.
    const changed = await this.pool.query<{ state: KioskState; since: string }>(
      `INSERT INTO fleet_states (kiosk, state, since, seen) VALUES ($1, $2, $3, $3) ON CONFLICT (kiosk) DO UPDATE
         SET since = CASE WHEN fleet_states.state = EXCLUDED.state THEN fleet_states.since ELSE EXCLUDED.since END,
             state = EXCLUDED.state, seen = GREATEST(fleet_states.seen, EXCLUDED.seen)
         WHERE fleet_states.state = EXCLUDED.state OR EXCLUDED.seen >= fleet_states.seen
         RETURNING state, since`,
      [kiosk, state, at],
    );
    const row =
      changed.rows[0] ??
      (
        await this.pool.query<{ state: KioskState; since: string }>(
          'SELECT state, since FROM fleet_states WHERE kiosk = $1',
          [kiosk],
        )
      ).rows[0];
    if (!row) throw new Error(`fleet state of ${kiosk} not stored`);
    return { state: row.state, since: Number(row.since) };
  }

  async recordHeartbeat(heartbeat: Heartbeat, receivedAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO heartbeats (kiosk, heartbeat, received_at) VALUES ($1, $2, $3) ON CONFLICT (kiosk) DO UPDATE
         SET heartbeat = EXCLUDED.heartbeat, received_at = EXCLUDED.received_at
         WHERE (heartbeats.heartbeat::jsonb ->> 'at')::bigint < $4`,
      [heartbeat.kiosk, encodeHeartbeat(heartbeat).toString('utf8'), receivedAt, heartbeat.at],
    );
  }

  async heartbeats(): Promise<Map<string, LastHeartbeat>> {
    const rows = await this.pool.query<{ kiosk: string; heartbeat: string; received_at: string }>(
      'SELECT * FROM heartbeats',
    );
    return new Map(
      rows.rows.map((r) => [
        r.kiosk,
        { heartbeat: decodeHeartbeat(Buffer.from(r.heartbeat)), receivedAt: Number(r.received_at) },
      ]),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Reads perfect subtrees (level 0: leaf hashes) by (level, idx); throws if one is missing. */
  private async perfect(
    db: Queryable,
    origin: string,
    wanted: readonly { level: number; idx: number }[],
  ): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    const leaves = wanted.filter((w) => w.level === 0).map((w) => w.idx);
    const inner = wanted.filter((w) => w.level > 0);
    if (leaves.length > 0) {
      const rows = await db.query<{ seq: string; hash: Buffer }>(
        'SELECT seq, hash FROM entries WHERE origin = $1 AND seq = ANY($2::bigint[])',
        [origin, leaves],
      );
      for (const r of rows.rows) found.set(`0/${r.seq}`, r.hash);
    }
    if (inner.length > 0) {
      const rows = await db.query<{ level: number; idx: string; hash: Buffer }>(
        'SELECT n.level, n.idx, n.hash FROM nodes n JOIN unnest($2::int[], $3::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx WHERE n.origin = $1',
        [origin, inner.map((w) => w.level), inner.map((w) => w.idx)],
      );
      for (const r of rows.rows) found.set(`${r.level}/${r.idx}`, r.hash);
    }
    for (const w of wanted)
      if (!found.has(`${w.level}/${w.idx}`))
        throw new MusterError('store-corrupt', `Merkle node ${w.level}/${w.idx} of ${origin} is missing`);
    return found;
  }

  /**
   * Runs a Merkle algorithm (synchronous over a TreeSource) on stored subtrees: a first pass records which
   * subtrees it reads (the ranges depend only on sizes), one query fetches them, a second pass computes.
   */
  private async withTree<T>(origin: string, size: number, compute: (source: TreeSource) => T): Promise<T> {
    const wanted: { level: number; idx: number }[] = [];
    compute({
      leaf: (index) => (wanted.push({ level: 0, idx: index }), ZERO_HASH),
      perfect: (level, index) => (wanted.push({ level, idx: index }), ZERO_HASH),
    });
    // A stored subtree that ends at `size` shows the log holds `size` entries (nodes are written with their leaves):
    // the size is asked for only when the read does not show it (a witness's checkpoint costs a round trip less).
    const showsSize = wanted.some((w) => (w.idx + 1) * 2 ** w.level === size);
    if (!showsSize) await this.requireSize(origin, size);
    let found: Map<string, Uint8Array>;
    try {
      found = await this.perfect(this.pool, origin, wanted);
    } catch (error) {
      if (showsSize) await this.requireSize(origin, size);
      throw error;
    }
    const read = (level: number, index: number): Uint8Array => found.get(`${level}/${index}`) as Uint8Array;
    return compute({ leaf: (index) => read(0, index), perfect: read });
  }

  private async requireSize(origin: string, size: number): Promise<void> {
    const held = await this.size(origin);
    if (size > held) throw new MusterError('not-held', `${origin} has ${held} entries here, not ${size}`);
  }
}
