// The log store: one SQLite file (WAL) holding this kiosk's own log, replicas of other logs, their Merkle
// nodes, checkpoints and equivocation evidence. Writes are short synchronous transactions (better-sqlite3):
// all signing happens before the transaction opens.
import Database from 'better-sqlite3';
import { MusterError, errorMessage } from '../core/errors.ts';
import { ZERO_HASH } from '../core/entry.ts';
import { nodeHash } from './hash.ts';
import { openSchema } from './store-schema.ts';
import type { TreeSource } from './merkle.ts';

/** Rows per multi-row INSERT of an append: about a third cheaper per row than one statement each. */
const ROWS_PER_INSERT = 32;

/** Runs `many` (ROWS_PER_INSERT rows) over full chunks of `rows` and `one` over the rest. */
function insertRows(many: Database.Statement, one: Database.Statement, rows: readonly unknown[][]): void {
  let at = 0;
  for (; at + ROWS_PER_INSERT <= rows.length; at += ROWS_PER_INSERT)
    many.run(rows.slice(at, at + ROWS_PER_INSERT).flat());
  for (; at < rows.length; at++) one.run(rows[at]);
}

export interface EntryRow {
  readonly seq: number;
  readonly ts: number;
  readonly type: string;
  readonly leaf: Uint8Array;
  readonly hash: Uint8Array;
}

export interface Head {
  readonly size: number;
  /** Leaf hash of the last entry; zeros for an empty log. */
  readonly hash: Uint8Array;
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
}

export interface Conflict {
  readonly seq: number;
  readonly leaf: Uint8Array;
  readonly hash: Uint8Array;
  readonly seenAt: number;
  readonly source: string;
}

/** The stored nodes of one level with first <= idx < end, in order. */
const NODES_OF_LEVEL = 'FROM nodes WHERE origin = ? AND level = ? AND idx >= ? AND idx < ? ORDER BY idx';

export interface OpenOptions {
  readonly readonly?: boolean;
  /** FULL makes every commit durable (the own log); NORMAL suits a replica store that can re-fetch. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Create the file and schema if missing. */
  readonly create?: boolean;
}

export class LedgerStore {
  readonly db: Database.Database;
  private readonly stmts;
  private readonly appendTransaction: Database.Transaction<
    (origin: string, expectedSize: number, rows: readonly EntryRow[]) => Map<number, Uint8Array>
  >;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
    this.stmts = {
      head: db.prepare<[string], { seq: number; hash: Buffer }>(
        'SELECT seq, hash FROM entries WHERE origin = ? ORDER BY seq DESC LIMIT 1',
      ),
      entry: db.prepare<[string, number], EntryRow>(
        'SELECT seq, ts, type, leaf, hash FROM entries WHERE origin = ? AND seq = ?',
      ),
      range: db.prepare<[string, number, number], EntryRow>(
        'SELECT seq, ts, type, leaf, hash FROM entries WHERE origin = ? AND seq >= ? AND seq < ? ORDER BY seq',
      ),
      keyEntries: db.prepare<[string], EntryRow>(
        "SELECT seq, ts, type, leaf, hash FROM entries INDEXED BY key_entries WHERE origin = ? AND type IN ('genesis', 'key-rotation', 'key-revocation') ORDER BY seq",
      ),
      insertEntry: db.prepare('INSERT INTO entries (origin, seq, ts, type, leaf, hash) VALUES (?, ?, ?, ?, ?, ?)'),
      insertEntries: db.prepare(
        `INSERT INTO entries (origin, seq, ts, type, leaf, hash) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
      ),
      node: db.prepare<[string, number, number], { hash: Buffer }>(
        'SELECT hash FROM nodes WHERE origin = ? AND level = ? AND idx = ?',
      ),
      nodesAt: db.prepare<[string, number, number, number], { idx: number; hash: Buffer }>(
        `SELECT idx, hash ${NODES_OF_LEVEL}`,
      ),
      nodeHashesAt: db.prepare<[string, number, number, number], Buffer>(`SELECT hash ${NODES_OF_LEVEL}`).pluck(),
      insertNode: db.prepare('INSERT OR REPLACE INTO nodes (origin, level, idx, hash) VALUES (?, ?, ?, ?)'),
      insertNodes: db.prepare(
        `INSERT OR REPLACE INTO nodes (origin, level, idx, hash) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`,
      ),
      log: db.prepare<[string], { genesis_key: Buffer; own: number }>(
        'SELECT genesis_key, own FROM logs WHERE origin = ?',
      ),
      insertLog: db.prepare('INSERT INTO logs (origin, genesis_key, own) VALUES (?, ?, ?)'),
      origins: db.prepare<[], { origin: string }>('SELECT origin FROM logs ORDER BY origin'),
      meta: db.prepare<[string], { v: string }>('SELECT v FROM meta WHERE k = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)'),
      checkpoint: db.prepare<[string, number], StoredCheckpoint>(
        'SELECT size, root, note FROM checkpoints WHERE origin = ? AND size = ?',
      ),
      latestCheckpoint: db.prepare<[string], StoredCheckpoint>(
        'SELECT size, root, note FROM checkpoints WHERE origin = ? ORDER BY size DESC LIMIT 1',
      ),
      checkpoints: db.prepare<[string], StoredCheckpoint>(
        'SELECT size, root, note FROM checkpoints WHERE origin = ? ORDER BY size',
      ),
      insertCheckpoint: db.prepare('INSERT OR IGNORE INTO checkpoints (origin, size, root, note) VALUES (?, ?, ?, ?)'),
      insertConflict: db.prepare(
        'INSERT OR IGNORE INTO conflicts (origin, seq, leaf, hash, seen_at, source) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      conflicts: db.prepare<[string], { seq: number; leaf: Buffer; hash: Buffer; seen_at: number; source: string }>(
        'SELECT seq, leaf, hash, seen_at, source FROM conflicts WHERE origin = ? ORDER BY seq, seen_at',
      ),
    };
    // Built once: better-sqlite3 prepares BEGIN/COMMIT for each transaction function it creates.
    this.appendTransaction = db.transaction(
      (origin: string, expectedSize: number, rows: readonly EntryRow[]): Map<number, Uint8Array> => {
        const head = this.head(origin);
        if (head.size !== expectedSize) {
          throw new MusterError(
            'concurrent-append',
            `log ${origin} grew to ${head.size} entries while ${expectedSize} were expected`,
          );
        }
        const frontier = this.frontier(origin, head.size);
        const entries: unknown[][] = [];
        const nodes: unknown[][] = [];
        rows.forEach((row, i) => {
          if (row.seq !== expectedSize + i)
            throw new MusterError('gap', `entry ${row.seq} does not continue the log at ${expectedSize + i}`);
          entries.push([origin, row.seq, row.ts, row.type, row.leaf, row.hash]);
          this.addLeafToFrontier(origin, frontier, row.seq, row.hash, nodes);
        });
        insertRows(this.stmts.insertEntries, this.stmts.insertEntry, entries);
        insertRows(this.stmts.insertNodes, this.stmts.insertNode, nodes);
        return frontier;
      },
    );
  }

  static open(path: string, options: OpenOptions = {}): LedgerStore {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create });
    } catch (error) {
      throw new MusterError('store-unreadable', `cannot open log store ${path}: ${errorMessage(error)}`);
    }
    try {
      db.pragma('busy_timeout = 5000');
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      }
      openSchema(db, path, options);
      return new LedgerStore(path, db);
    } catch (error) {
      db.close();
      if (error instanceof MusterError) throw error;
      throw new MusterError('store-corrupt', `log store ${path} is not a readable Muster log: ${errorMessage(error)}`);
    }
  }

  close(): void {
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    return read(`read ${key}`, () => this.stmts.meta.get(key)?.v);
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  /** The origin of this machine's own log, if it has one. */
  ownOrigin(): string | undefined {
    return this.getMeta('own_origin');
  }

  origins(): string[] {
    return read('list the logs', () => this.stmts.origins.all().map((r) => r.origin));
  }

  log(origin: string): { genesisKey: Uint8Array; own: boolean } | undefined {
    const row = read(`read log ${origin}`, () => this.stmts.log.get(origin));
    return row && { genesisKey: row.genesis_key, own: row.own === 1 };
  }

  addLog(origin: string, genesisKey: Uint8Array, own: boolean): void {
    this.stmts.insertLog.run(origin, genesisKey, own ? 1 : 0);
    if (own) this.setMeta('own_origin', origin);
  }

  head(origin: string): Head {
    const row = read(`read the head of ${origin}`, () => this.stmts.head.get(origin));
    return row ? { size: row.seq + 1, hash: row.hash } : { size: 0, hash: ZERO_HASH };
  }

  entry(origin: string, seq: number): EntryRow | undefined {
    return read(`read entry ${seq} of ${origin}`, () => this.stmts.entry.get(origin, seq));
  }

  /** Entries with start <= seq < end, in order; gaps are the caller's to notice. */
  *range(origin: string, start: number, end: number): Generator<EntryRow> {
    const what = `read entries ${start}-${end - 1} of ${origin}`;
    const rows = read(what, () => this.stmts.range.iterate(origin, start, end));
    for (;;) {
      const next = read(what, () => rows.next());
      if (next.done === true) return;
      yield next.value;
    }
  }

  /** As range, read in one call: for bounded ranges, where stepping row by row from JavaScript costs more than the rows. */
  rangeAll(origin: string, start: number, end: number): EntryRow[] {
    return read(`read entries ${start}-${end - 1} of ${origin}`, () => this.stmts.range.all(origin, start, end));
  }

  /** The genesis, key-rotation and key-revocation entries of a log, in order. */
  keyEntries(origin: string): EntryRow[] {
    return read(`read the key entries of ${origin}`, () => this.stmts.keyEntries.all(origin));
  }

  /**
   * Appends entries that continue the log at its head, with their Merkle nodes, in one transaction.
   * The caller has verified them; `expectedSize` guards against a concurrent writer.
   */
  appendVerified(origin: string, expectedSize: number, rows: readonly EntryRow[]): void {
    try {
      const frontier = this.appendTransaction.immediate(origin, expectedSize, rows);
      this.frontiers.set(origin, { size: expectedSize + rows.length, frontier });
    } catch (error) {
      this.frontiers.delete(origin);
      throw storeError(error, `append to ${origin}`);
    }
  }

  /** The right edge of each log's tree after this connection's last append, so the next one reads no nodes. */
  private readonly frontiers = new Map<string, { size: number; frontier: Map<number, Uint8Array> }>();

  /** Hashes of the perfect subtrees that make up a tree of `size` leaves, indexed by level (a copy). */
  private frontier(origin: string, size: number): Map<number, Uint8Array> {
    const cached = this.frontiers.get(origin);
    if (cached?.size === size) return new Map(cached.frontier);
    const frontier = new Map<number, Uint8Array>();
    let offset = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (size - offset >= width) {
        frontier.set(level, this.perfectAt(origin, level, offset / width));
        offset += width;
      }
    }
    return frontier;
  }

  /** Adds a leaf to the right edge; the perfect subtrees it completes go to `nodes` as insertNode arguments. */
  private addLeafToFrontier(
    origin: string,
    frontier: Map<number, Uint8Array>,
    index: number,
    hash: Uint8Array,
    nodes: unknown[][],
  ): void {
    let level = 0;
    let idx = index;
    let h = hash;
    while (idx % 2 === 1) {
      const left = frontier.get(level);
      if (!left) throw new MusterError('store-corrupt', `Merkle frontier is missing level ${level} at leaf ${index}`);
      frontier.delete(level);
      h = nodeHash(left, h);
      level++;
      idx = (idx - 1) / 2;
      nodes.push([origin, level, idx, h]);
    }
    frontier.set(level, h);
  }

  private perfectAt(origin: string, level: number, index: number): Uint8Array {
    if (level === 0) {
      const row = this.entry(origin, index);
      if (!row) throw new MusterError('store-corrupt', `entry ${index} of ${origin} is missing`);
      return row.hash;
    }
    const row = read(`read Merkle node ${level}/${index} of ${origin}`, () =>
      this.stmts.node.get(origin, level, index),
    );
    if (!row) throw new MusterError('store-corrupt', `Merkle node ${level}/${index} of ${origin} is missing`);
    return row.hash;
  }

  treeSource(origin: string): TreeSource {
    return {
      leaf: (index) => this.perfectAt(origin, 0, index),
      perfect: (level, index) => this.perfectAt(origin, level, index),
    };
  }

  /**
   * The hashes alone of nodesAt, in idx order, for fsck's comparison (a third cheaper to read): when there are
   * end - first of them, the primary key makes them exactly the nodes first to end - 1.
   */
  nodeHashesAt(origin: string, level: number, first: number, end: number): Buffer[] {
    return read(`read Merkle nodes of ${origin}`, () => this.stmts.nodeHashesAt.all(origin, level, first, end));
  }

  /** Stored nodes of one level with first <= idx < end, for fsck to compare with a tree it recomputed. */
  nodesAt(origin: string, level: number, first: number, end: number): { idx: number; hash: Buffer }[] {
    return read(`read Merkle nodes of ${origin}`, () => this.stmts.nodesAt.all(origin, level, first, end));
  }

  /** Stored nodes above `level`, and how many there are at or below it (fsck: nothing stored beyond the tree). */
  nodesAbove(
    origin: string,
    level: number,
  ): { above: { level: number; idx: number; hash: Buffer }[]; atOrBelow: number } {
    return read(`read Merkle nodes of ${origin}`, () => {
      const above = this.db
        .prepare<[string, number], { level: number; idx: number; hash: Buffer }>(
          'SELECT level, idx, hash FROM nodes WHERE origin = ? AND level > ? ORDER BY level, idx',
        )
        .all(origin, level);
      const row = this.db
        .prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM nodes WHERE origin = ? AND level <= ?')
        .get(origin, level);
      return { above, atOrBelow: row?.n ?? 0 };
    });
  }

  saveCheckpoint(origin: string, checkpoint: StoredCheckpoint): void {
    this.stmts.insertCheckpoint.run(origin, checkpoint.size, checkpoint.root, checkpoint.note);
  }

  checkpointAt(origin: string, size: number): StoredCheckpoint | undefined {
    return read(`read checkpoint ${size} of ${origin}`, () => this.stmts.checkpoint.get(origin, size));
  }

  latestCheckpoint(origin: string): StoredCheckpoint | undefined {
    return read(`read the latest checkpoint of ${origin}`, () => this.stmts.latestCheckpoint.get(origin));
  }

  checkpoints(origin: string): StoredCheckpoint[] {
    return read(`read the checkpoints of ${origin}`, () => this.stmts.checkpoints.all(origin));
  }

  /** Keeps a second, different entry for an existing (origin, seq): evidence that the log equivocated. */
  recordConflict(
    origin: string,
    seq: number,
    leaf: Uint8Array,
    hash: Uint8Array,
    source: string,
    seenAt: number,
  ): void {
    this.stmts.insertConflict.run(origin, seq, leaf, hash, seenAt, source);
  }

  conflicts(origin: string): Conflict[] {
    return read(`read the conflicts of ${origin}`, () => this.stmts.conflicts.all(origin)).map((r) => ({
      seq: r.seq,
      leaf: r.leaf,
      hash: r.hash,
      seenAt: r.seen_at,
      source: r.source,
    }));
  }
}

/** A read of the store: SQLite's own error (a damaged page, an I/O error) becomes `store-io` (storeError). */
function read<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw storeError(error, what);
  }
}

/**
 * SQLite's own errors stop at the store: an I/O failure (SQLITE_IOERR_FSYNC: the disk refused to make a commit
 * durable, SQLITE_FULL, SQLITE_CORRUPT) is a MusterError `store-io` naming SQLite's code, the original as its cause.
 */
export function storeError(error: unknown, what: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  return new MusterError('store-io', `${what} failed: ${error.code}: ${error.message}`, { cause: error });
}
