// HQ's ingest on PostgreSQL: one transaction per group (one ingestMany call, GroupCommits' group of messages) in
// a fixed number of round trips, however many batches and logs it holds: BEGIN; the logs' advisory locks, taken in
// one statement in a fixed order (so two HQ nodes taking overlapping groups wait for each other, never deadlock);
// one read of every log's head and of the stored entries the group names again; one statement writing every table
// (conflicts, logs, entries, tree nodes, the NOTIFY); COMMIT. Signatures are checked before BEGIN, under the keys
// this node knows and the group names, so no lock is held while they are; the plan (ledger/ingest-plan.ts) still
// checks each entry's key in force, chain link and order, and verifies itself whatever was not checked before.
// Each log's key schedule and Merkle frontier are kept between groups and used while the stored head is the one
// they were built at; another node's write shows as a different head, and they are read again.
import type pg from 'pg';
import { bytesEqual } from '../../core/bytes.ts';
import { type DecodedLeaf, ZERO_HASH, decodeLeaf } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { entrySignatureValid } from '../../ledger/entry-signing.ts';
import { nodeHash } from '../../ledger/hash.ts';
import {
  type DecodedBatch,
  type IngestPlan,
  type IngestResult,
  decodeForOrigin,
  planIngest,
  planResult,
} from '../../ledger/ingest-plan.ts';
import { KeySchedule } from '../../ledger/key-schedule.ts';
import { REGISTRY_ORIGIN, type Registry, registryFrom } from '../../ledger/registry.ts';
import { Verifier } from '../../ledger/keys.ts';
import type { EntryRow, Head } from '../../ledger/store.ts';
import type { IngestBatch } from '../replica-store.ts';

/**
 * NOTIFY channel: every log an ingest grew, whichever HQ node stored it, as `<origin> <size>` (the log's size in
 * that commit; an origin has no space), so the breach watcher's holder reads only the logs that grew.
 */
export const ENTRIES_CHANNEL = 'muster_entries';

/** A NOTIFY on ENTRIES_CHANNEL: the origin, and its size where the payload gives a sound one. */
export function entriesNotice(payload: string): { readonly origin: string; readonly size?: number } {
  const [origin = '', size, ...rest] = payload.split(' ');
  const n = Number(size);
  return rest.length === 0 && Number.isSafeInteger(n) && n > 0 ? { origin, size: n } : { origin };
}

/** Highest Merkle level a log of up to 2^53 entries has. */
const MAX_LEVEL = 52;

type Queryable = pg.Pool | pg.PoolClient;

/** What this node knows of a log at a stored head: its keys and the perfect subtrees on its right edge, by level. */
interface LogState {
  readonly head: Head;
  readonly schedule: KeySchedule;
  readonly frontier: ReadonlyMap<number, Uint8Array>;
}

interface RegistryState {
  readonly head: Head;
  readonly rows: readonly { readonly type: string; readonly leaf: Uint8Array }[];
  readonly registry: Registry;
}

/** A log while a group is planned: its state so far and what the group adds to it. */
interface Working {
  head: Head;
  schedule: KeySchedule;
  readonly frontier: Map<number, Uint8Array>;
  /** Why this log's batches fail in this group (its stored key entries do not verify, its tree is missing a node). */
  readonly broken?: Error;
  readonly genesisKey: Uint8Array | undefined;
  /** Leaf hashes of stored entries the group names again, and of entries the group adds. */
  readonly stored: Map<number, Uint8Array>;
  readonly rows: EntryRow[];
  readonly nodes: { level: number; idx: number; hash: Uint8Array }[];
}

/** The group's writes, a column array per table column (one multi-row insert per table). */
class Writes {
  readonly conflicts = { origin: [] as string[], seq: [] as number[], leaf: [] as Buffer[], hash: [] as Buffer[] };
  readonly conflictSources: string[] = [];
  readonly logs = { origin: [] as string[], key: [] as Buffer[] };
  readonly entries = {
    origin: [] as string[],
    seq: [] as number[],
    ts: [] as number[],
    type: [] as string[],
    leaf: [] as Buffer[],
    hash: [] as Buffer[],
  };
  readonly nodes = { origin: [] as string[], level: [] as number[], idx: [] as number[], hash: [] as Buffer[] };
  readonly grown: string[] = [];
}

const LOCK_SQL =
  // Volatile functions in the select list run after the sort (PostgreSQL 9.6+): the locks are taken in key order.
  'SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(o) AS k FROM unnest($1::text[]) AS o) AS s ORDER BY k';

const READ_SQL = `
SELECT 'head' AS kind, o.origin, h.seq, h.hash, l.genesis_key
  FROM unnest($1::text[]) AS o(origin)
  LEFT JOIN LATERAL (SELECT seq, hash FROM entries e WHERE e.origin = o.origin ORDER BY seq DESC LIMIT 1) AS h ON true
  LEFT JOIN logs l ON l.origin = o.origin
UNION ALL
SELECT 'stored', e.origin, e.seq, e.hash, NULL
  FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS w(origin, low, high)
  JOIN entries e ON e.origin = w.origin AND e.seq BETWEEN w.low AND w.high`;

const WRITE_SQL = `
WITH c AS (INSERT INTO conflicts (origin, seq, leaf, hash, seen_at, source)
    SELECT o, s, l, h, $5, src FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bytea[], $6::text[]) AS t(o, s, l, h, src)
    ON CONFLICT DO NOTHING),
  g AS (INSERT INTO logs (origin, genesis_key) SELECT * FROM unnest($7::text[], $8::bytea[]) ON CONFLICT DO NOTHING),
  e AS (INSERT INTO entries (origin, seq, ts, type, leaf, hash)
    SELECT * FROM unnest($9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::bytea[], $14::bytea[])),
  n AS (INSERT INTO nodes (origin, level, idx, hash)
    SELECT * FROM unnest($15::text[], $16::int[], $17::bigint[], $18::bytea[]) ON CONFLICT DO NOTHING)
SELECT pg_notify($19, o) FROM unnest($20::text[]) AS o`;

export interface PostgresIngestOptions {
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array> | undefined;
  readonly clock?: (() => number) | undefined;
}

export class PostgresIngest {
  private readonly logs = new Map<string, LogState>();
  private registryState: RegistryState | undefined;
  /** Verifiers of the pinned genesis keys, made once. */
  private readonly pinned = new Map<string, Verifier>();
  /** Settles once every group handed over so far has committed (or failed): groups commit in call order. */
  private committed: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresIngestOptions,
  ) {}

  /**
   * One transaction for every batch, each judged on its own as `ingest` would: a batch the plan refuses is a result,
   * a batch of a log whose stored state is unusable a rejection. A failed statement rolls the whole group back
   * (nothing of it is committed, nothing an earlier group committed is touched), and its batches are then tried
   * one by one. The signatures are checked on arrival, while the groups before it may still be committing.
   */
  ingestMany(batches: readonly IngestBatch[]): Promise<PromiseSettledResult<IngestResult>[]> {
    const decoded = batches.map((b) => decodeForOrigin(b.origin, b.leaves));
    const preverified = this.preverify(decoded);
    const results = this.committed.then(() => this.commitOrSplit(batches, decoded, preverified));
    this.committed = results.then(
      () => undefined,
      () => undefined,
    );
    return results;
  }

  /** The log's keys at its stored head (genesis first); empty when the database has never seen the log. */
  async verifiers(origin: string): Promise<Verifier[]> {
    const head = await readHead(this.pool, origin);
    if (head.size === 0) return [];
    const known = this.logs.get(origin);
    if (known && sameHead(known.head, head)) return known.schedule.verifiers;
    const loaded = (await loadSchedules(this.pool, [origin])).get(origin);
    if (loaded instanceof Error) throw loaded;
    return loaded?.verifiers ?? [];
  }

  /**
   * Leaves whose signatures verify under a key this node knows for their log (its cached schedule, a pinned key,
   * a key a genesis or rotation of the group names), with that key: planIngest skips the check only where it is
   * the key in force, so a stale or unverified candidate costs a second check, never a wrong acceptance.
   */
  private preverify(decoded: readonly DecodedBatch[]): Map<Uint8Array, Uint8Array> {
    const candidates = new Map<string, Verifier[]>();
    const keysOf = (origin: string): Verifier[] => {
      let keys = candidates.get(origin);
      if (!keys) {
        keys = [...(this.logs.get(origin)?.schedule.verifiers ?? [])];
        const pinned = this.pinnedVerifier(origin);
        if (pinned) keys.push(pinned);
        candidates.set(origin, keys);
      }
      return keys;
    };
    for (const batch of decoded)
      for (const { entry } of batch.decoded) {
        const named = namedKey(entry);
        const keys = keysOf(entry.body.origin);
        if (named && !keys.some((k) => bytesEqual(k.publicKey, named)))
          keys.push(new Verifier(entry.body.origin, named));
      }
    const verified = new Map<Uint8Array, Uint8Array>();
    for (const batch of decoded)
      for (const { leaf, entry } of batch.decoded) {
        const key = keysOf(entry.body.origin).find((k) => bytesEqual(k.id, entry.body.kid));
        if (key && entrySignatureValid(entry, key)) verified.set(leaf, key.publicKey);
      }
    return verified;
  }

  private pinnedVerifier(origin: string): Verifier | undefined {
    let verifier = this.pinned.get(origin);
    const key = this.options.trustedKeys?.get(origin);
    if (!verifier && key) {
      verifier = new Verifier(origin, key);
      this.pinned.set(origin, verifier);
    }
    return verifier;
  }

  /**
   * The group in one transaction; if that fails (a row the database refuses, a lost connection), each batch in a
   * transaction of its own, so that one batch's failure rejects only that batch.
   */
  private async commitOrSplit(
    batches: readonly IngestBatch[],
    decoded: readonly DecodedBatch[],
    preverified: ReadonlyMap<Uint8Array, Uint8Array>,
  ): Promise<PromiseSettledResult<IngestResult>[]> {
    try {
      return await this.commitGroup(batches, decoded, preverified);
    } catch (error) {
      if (batches.length === 1) throw error;
    }
    const results: PromiseSettledResult<IngestResult>[] = [];
    for (const [i, batch] of batches.entries()) {
      try {
        results.push(...(await this.commitGroup([batch], [decoded[i] as DecodedBatch], preverified)));
      } catch (error) {
        results.push({ status: 'rejected', reason: error });
      }
    }
    return results;
  }

  private async commitGroup(
    batches: readonly IngestBatch[],
    decoded: readonly DecodedBatch[],
    preverified: ReadonlyMap<Uint8Array, Uint8Array>,
  ): Promise<PromiseSettledResult<IngestResult>[]> {
    const origins = [...new Set(batches.map((b) => b.origin))];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(LOCK_SQL, [origins]);
      const working = await this.readGroup(client, origins, decoded);
      const writes = new Writes();
      const { results, registry } = this.planGroup(batches, decoded, preverified, working, writes);
      for (const [origin, log] of working) this.collect(writes, origin, log);
      if (writes.entries.origin.length > 0 || writes.conflicts.origin.length > 0)
        await write(client, writes, (this.options.clock ?? Date.now)());
      await client.query('COMMIT');
      for (const [origin, log] of working)
        if (!log.broken) this.logs.set(origin, { head: log.head, schedule: log.schedule, frontier: log.frontier });
      if (registry) this.registryState = registry;
      return results;
    } catch (error) {
      // Schedules and frontiers of these logs may hold what was not committed.
      for (const origin of origins) this.logs.delete(origin);
      this.registryState = undefined;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Plans the group's batches in order, each on top of the ones before it, and notes their conflicts; the registry
   * as it stands after the group, when the group grew it.
   */
  private planGroup(
    batches: readonly IngestBatch[],
    decoded: readonly DecodedBatch[],
    preverified: ReadonlyMap<Uint8Array, Uint8Array>,
    working: ReadonlyMap<string, Working>,
    writes: Writes,
  ): { results: PromiseSettledResult<IngestResult>[]; registry: RegistryState | undefined } {
    const results: PromiseSettledResult<IngestResult>[] = [];
    let registry = this.registryState;
    let grown: RegistryState | undefined;
    for (const [i, batch] of batches.entries()) {
      const log = working.get(batch.origin) as Working;
      if (log.broken) {
        results.push({ status: 'rejected', reason: log.broken });
        continue;
      }
      let plan: IngestPlan;
      try {
        plan = this.planBatch(log, decoded[i] as DecodedBatch, preverified, registry?.registry);
      } catch (error) {
        results.push({ status: 'rejected', reason: error });
        continue;
      }
      for (const e of plan.equivocations) {
        writes.conflicts.origin.push(batch.origin);
        writes.conflicts.seq.push(e.seq);
        writes.conflicts.leaf.push(Buffer.from(e.leaf));
        writes.conflicts.hash.push(Buffer.from(e.hash));
        writes.conflictSources.push(batch.source);
      }
      // A registry batch counts for the batches after it in the group, as it would in a transaction of its own.
      if (batch.origin === REGISTRY_ORIGIN && plan.rows.length > 0) {
        const rows = [...(registry?.rows ?? []), ...plan.rows];
        registry = grown = { head: log.head, rows, registry: registryFrom(rows) };
      }
      results.push({ status: 'fulfilled', value: planResult(plan, log.head.size - plan.rows.length) });
    }
    return { results, registry: grown };
  }

  /** One batch on top of what the group planned for its log so far. */
  private planBatch(
    log: Working,
    batch: DecodedBatch,
    preverified: ReadonlyMap<Uint8Array, Uint8Array>,
    registry: Registry | undefined,
  ): IngestPlan {
    // Planned first, applied after: a plan that throws leaves nothing of its batch in the group.
    const plan = planIngest(batch, log.head, log.stored, log.schedule, {
      trustedKey: log.genesisKey,
      preverified,
      registry,
    });
    // A rejected genesis may have named its key in the schedule before its signature failed.
    if (log.head.size === 0 && plan.rows.length === 0) log.schedule = new KeySchedule(log.schedule.origin, []);
    for (const row of plan.rows) {
      log.stored.set(row.seq, row.hash);
      log.rows.push(row);
      extendFrontier(log.frontier, row.seq, row.hash, log.nodes);
      log.head = { size: row.seq + 1, hash: row.hash };
    }
    return plan;
  }

  /**
   * Every log's head, the stored entries the group names again, and (only where this node's copy is not at that
   * head: first sight, or another node wrote) the log's key schedule and Merkle frontier; the registry likewise.
   */
  private async readGroup(
    client: pg.PoolClient,
    origins: readonly string[],
    decoded: readonly DecodedBatch[],
  ): Promise<Map<string, Working>> {
    // Per log, the range of seqs the group names: one index range read each (live traffic names none stored).
    const named = new Map<string, { low: number; high: number }>();
    for (const batch of decoded)
      for (const { entry } of batch.decoded) {
        const { origin, seq } = entry.body;
        const range = named.get(origin);
        if (!range) named.set(origin, { low: seq, high: seq });
        else {
          range.low = Math.min(range.low, seq);
          range.high = Math.max(range.high, seq);
        }
      }
    const read = await client.query<{
      kind: 'head' | 'stored';
      origin: string;
      seq: string | null;
      hash: Buffer | null;
      genesis_key: Buffer | null;
    }>(READ_SQL, [
      [...origins, REGISTRY_ORIGIN],
      [...named.keys()],
      [...named.values()].map((r) => r.low),
      [...named.values()].map((r) => r.high),
    ]);
    const heads = new Map<string, { head: Head; genesisKey: Uint8Array | undefined }>();
    const stored = new Map<string, Map<number, Uint8Array>>(origins.map((o) => [o, new Map()]));
    for (const row of read.rows) {
      if (row.kind === 'stored') stored.get(row.origin)?.set(Number(row.seq), row.hash as Buffer);
      else
        heads.set(row.origin, {
          head:
            row.seq === null ? { size: 0, hash: ZERO_HASH } : { size: Number(row.seq) + 1, hash: row.hash as Buffer },
          genesisKey: row.genesis_key ?? undefined,
        });
    }
    const stale = origins.filter((o) => {
      const known = this.logs.get(o);
      return !known || !sameHead(known.head, heads.get(o)?.head ?? { size: 0, hash: ZERO_HASH });
    });
    const reloaded = await this.reload(
      client,
      stale.map((o) => ({ origin: o, head: heads.get(o)?.head ?? { size: 0, hash: ZERO_HASH } })),
    );
    await this.readRegistry(client, heads.get(REGISTRY_ORIGIN)?.head ?? { size: 0, hash: ZERO_HASH });
    const working = new Map<string, Working>();
    for (const origin of origins) {
      const { head, genesisKey } = heads.get(origin) ?? { head: { size: 0, hash: ZERO_HASH }, genesisKey: undefined };
      const state = reloaded.get(origin) ?? this.logs.get(origin);
      working.set(origin, {
        head,
        schedule: state instanceof Error || !state ? new KeySchedule(origin, []) : state.schedule,
        frontier: new Map<number, Uint8Array>(state instanceof Error || !state ? [] : state.frontier),
        ...(state instanceof Error ? { broken: state } : {}),
        genesisKey: this.options.trustedKeys?.get(origin) ?? genesisKey,
        stored: stored.get(origin) ?? new Map<number, Uint8Array>(),
        rows: [],
        nodes: [],
      });
    }
    return working;
  }

  /** Key schedules and frontiers of the logs at these heads (two reads for them all); an Error where one is unusable. */
  private async reload(
    db: Queryable,
    logs: readonly { origin: string; head: Head }[],
  ): Promise<Map<string, LogState | Error>> {
    const out = new Map<string, LogState | Error>();
    if (logs.length === 0) return out;
    const schedules = await loadSchedules(
      db,
      logs.filter((l) => l.head.size > 0).map((l) => l.origin),
    );
    const frontiers = await loadFrontiers(db, logs);
    for (const { origin, head } of logs) {
      const schedule = schedules.get(origin) ?? new KeySchedule(origin, []);
      const frontier = frontiers.get(origin) ?? new Map<number, Uint8Array>();
      out.set(
        origin,
        schedule instanceof Error ? schedule : frontier instanceof Error ? frontier : { head, schedule, frontier },
      );
    }
    return out;
  }

  /** HQ's registry (kiosk registrations, key revocations) at this head, read again only when it changed. */
  private async readRegistry(db: Queryable, head: Head): Promise<void> {
    if (head.size === 0) {
      this.registryState = undefined;
      return;
    }
    if (this.registryState && sameHead(this.registryState.head, head)) return;
    const rows = await db.query<{ type: string; leaf: Buffer }>(
      "SELECT type, leaf FROM entries WHERE origin = $1 AND seq < $2 AND type IN ('kiosk-registration', 'key-revocation') ORDER BY seq",
      [REGISTRY_ORIGIN, head.size],
    );
    this.registryState = { head, rows: rows.rows, registry: registryFrom(rows.rows) };
  }

  /** Adds a log's planned rows and nodes (and its log row, if new) to the group's writes. */
  private collect(writes: Writes, origin: string, log: Working): void {
    const first = log.rows[0];
    if (!first) return;
    if (first.seq === 0) {
      writes.logs.origin.push(origin);
      writes.logs.key.push(Buffer.from(log.schedule.keyFor(0).publicKey));
    }
    for (const row of log.rows) {
      writes.entries.origin.push(origin);
      writes.entries.seq.push(row.seq);
      writes.entries.ts.push(row.ts);
      writes.entries.type.push(row.type);
      writes.entries.leaf.push(Buffer.from(row.leaf));
      writes.entries.hash.push(Buffer.from(row.hash));
    }
    for (const node of log.nodes) {
      writes.nodes.origin.push(origin);
      writes.nodes.level.push(node.level);
      writes.nodes.idx.push(node.idx);
      writes.nodes.hash.push(Buffer.from(node.hash));
    }
    writes.grown.push(`${origin} ${(log.rows.at(-1)?.seq ?? first.seq) + 1}`);
  }
}

/** Every table's rows in one statement; the NOTIFY (one per grown log) is sent on commit. */
async function write(client: pg.PoolClient, w: Writes, now: number): Promise<void> {
  await client.query(WRITE_SQL, [
    w.conflicts.origin,
    w.conflicts.seq,
    w.conflicts.leaf,
    w.conflicts.hash,
    now,
    w.conflictSources,
    w.logs.origin,
    w.logs.key,
    w.entries.origin,
    w.entries.seq,
    w.entries.ts,
    w.entries.type,
    w.entries.leaf,
    w.entries.hash,
    w.nodes.origin,
    w.nodes.level,
    w.nodes.idx,
    w.nodes.hash,
    ENTRIES_CHANNEL,
    w.grown,
  ]);
}

export async function readHead(db: Queryable, origin: string): Promise<Head> {
  const row = (
    await db.query<{ seq: string; hash: Buffer }>(
      'SELECT seq, hash FROM entries WHERE origin = $1 ORDER BY seq DESC LIMIT 1',
      [origin],
    )
  ).rows[0];
  return row ? { size: Number(row.seq) + 1, hash: row.hash } : { size: 0, hash: ZERO_HASH };
}

function sameHead(a: Head, b: Head): boolean {
  return a.size === b.size && bytesEqual(a.hash, b.hash);
}

/** The key a genesis or rotation entry names (unverified: only a candidate to check signatures with). */
function namedKey(entry: DecodedLeaf): Uint8Array | undefined {
  const { type, payload } = entry.body;
  const key = type === 'genesis' ? payload.key : type === 'key-rotation' ? payload.newKey : undefined;
  return key instanceof Uint8Array && key.length === 32 ? key : undefined;
}

/** Each log's schedule from its stored genesis and rotation entries (one read), checked; an Error where one fails. */
async function loadSchedules(db: Queryable, origins: readonly string[]): Promise<Map<string, KeySchedule | Error>> {
  const out = new Map<string, KeySchedule | Error>();
  if (origins.length === 0) return out;
  const rows = await db.query<{ origin: string; leaf: Buffer }>(
    "SELECT origin, leaf FROM entries WHERE origin = ANY($1::text[]) AND type IN ('genesis', 'key-rotation') ORDER BY origin, seq",
    [origins],
  );
  for (const origin of origins) out.set(origin, new KeySchedule(origin, []));
  for (const row of rows.rows) {
    const schedule = out.get(row.origin);
    if (!(schedule instanceof KeySchedule)) continue;
    const reason = schedule.check(decodeLeaf(row.leaf));
    if (reason)
      out.set(
        row.origin,
        new MusterError('store-corrupt', `stored key entry of ${row.origin} does not verify: ${reason}`),
      );
  }
  return out;
}

/** The perfect subtrees on the right edge of a tree of `size` leaves: (level, idx) of each, largest first. */
export function frontierOf(size: number): { level: number; idx: number }[] {
  const out: { level: number; idx: number }[] = [];
  let offset = 0;
  for (let level = MAX_LEVEL; level >= 0; level--) {
    const width = 2 ** level;
    if (size - offset >= width) {
      out.push({ level, idx: offset / width });
      offset += width;
    }
  }
  return out;
}

/** Each log's frontier at its head (one read: leaf hashes for level 0, stored nodes above); an Error where one is missing. */
async function loadFrontiers(
  db: Queryable,
  logs: readonly { origin: string; head: Head }[],
): Promise<Map<string, Map<number, Uint8Array> | Error>> {
  const wanted = logs.flatMap(({ origin, head }) => frontierOf(head.size).map((w) => ({ origin, ...w })));
  const found = new Map<string, Uint8Array>();
  if (wanted.length > 0) {
    const rows = await db.query<{ origin: string; level: number; idx: string; hash: Buffer | null }>(
      `SELECT w.origin, w.level, w.idx, coalesce(n.hash, e.hash) AS hash
         FROM unnest($1::text[], $2::int[], $3::bigint[]) AS w(origin, level, idx)
         LEFT JOIN nodes n ON w.level > 0 AND n.origin = w.origin AND n.level = w.level AND n.idx = w.idx
         LEFT JOIN entries e ON w.level = 0 AND e.origin = w.origin AND e.seq = w.idx`,
      [wanted.map((w) => w.origin), wanted.map((w) => w.level), wanted.map((w) => w.idx)],
    );
    for (const r of rows.rows) if (r.hash) found.set(`${r.origin} ${r.level}/${r.idx}`, r.hash);
  }
  const out = new Map<string, Map<number, Uint8Array> | Error>();
  for (const { origin, head } of logs) {
    const frontier = new Map<number, Uint8Array>();
    for (const w of frontierOf(head.size)) {
      const hash = found.get(`${origin} ${w.level}/${w.idx}`);
      if (hash) frontier.set(w.level, hash);
    }
    out.set(
      origin,
      frontier.size === frontierOf(head.size).length
        ? frontier
        : new MusterError('store-corrupt', `the Merkle frontier of ${origin} at ${head.size} entries is missing nodes`),
    );
  }
  return out;
}

/** Appends leaf `seq` to a frontier, noting each perfect subtree it completes (stored as a node). */
function extendFrontier(
  frontier: Map<number, Uint8Array>,
  seq: number,
  leaf: Uint8Array,
  created: { level: number; idx: number; hash: Uint8Array }[],
): void {
  let level = 0;
  let idx = seq;
  let hash = leaf;
  while (idx % 2 === 1) {
    const left = frontier.get(level);
    if (!left) throw new MusterError('store-corrupt', `Merkle frontier is missing level ${level} at entry ${seq}`);
    frontier.delete(level);
    hash = nodeHash(left, hash);
    level++;
    idx = (idx - 1) / 2;
    created.push({ level, idx, hash });
  }
  frontier.set(level, hash);
}
