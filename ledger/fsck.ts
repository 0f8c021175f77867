// fsck: checks a log end to end. Every entry's sequence number (no gaps), prev link, key and signature;
// the stored Merkle nodes against a tree rebuilt from the entries; every checkpoint the store holds and
// every checkpoint the verifier already holds (a log smaller than a checkpoint seen before was truncated
// or rolled back; a different root at a seen size is a fork). Reports the first bad entry and why.
import { cpus } from 'node:os';
import { bytesEqual, toHex } from '../core/bytes.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { startWorker } from '../runtime/worker.ts';
import { KeySchedule } from './key-schedule.ts';
import type { Verifier } from './keys.ts';
import { MemoryTree, rootHash } from './merkle.ts';
import { openCheckpoint } from './note.ts';
import { LedgerStore } from './store.ts';
import { type RangeResult, verifyRows } from './verify-range.ts';
import type { VerifyJob } from './verify-worker.ts';
import { ZERO_HASH } from '../core/entry.ts';

export interface FsckOptions {
  readonly origin?: string;
  /** The log's public keys from outside the store (its genesis key among them); without them the store's recorded genesis key is trusted. */
  readonly trustedKeys?: readonly Verifier[];
  /** Signed checkpoints the verifier already holds (notes). */
  readonly heldCheckpoints?: readonly string[];
  /** Worker threads for signature checks; 0 checks in this thread. Default: one per core for large logs. */
  readonly workers?: number;
}

export type FsckResult =
  | { readonly ok: true; readonly origin: string; readonly size: number; readonly root: Uint8Array; readonly checkpoints: number; readonly trust: 'key' | 'store' }
  | { readonly ok: false; readonly origin: string; readonly seq?: number; readonly reason: string };

const WORKER_THRESHOLD = 4096;

export async function fsck(path: string, options: FsckOptions = {}): Promise<FsckResult> {
  const store = LedgerStore.open(path, { readonly: true });
  try {
    const origin = options.origin ?? store.ownOrigin() ?? onlyOrigin(store);
    return await check(store, origin, options);
  } finally {
    store.close();
  }
}

async function check(store: LedgerStore, origin: string, options: FsckOptions): Promise<FsckResult> {
  const fail = (reason: string, seq?: number): FsckResult => ({ ok: false, origin, reason, ...(seq === undefined ? {} : { seq }) });
  const log = store.log(origin);
  if (!log) return fail(`the store holds no log for ${origin}`);
  if (options.trustedKeys && !options.trustedKeys.some((k) => bytesEqual(k.publicKey, log.genesisKey))) {
    return fail('the log was not started by any of the trusted keys (log replaced?)', 0);
  }
  let schedule: KeySchedule;
  try {
    schedule = KeySchedule.load(store, origin, log.genesisKey);
  } catch (error) {
    const match = /^entry (\d+): /.exec(errorMessage(error));
    return fail(errorMessage(error).replace(/^entry \d+: /, ''), match ? Number(match[1]) : 0);
  }
  const size = store.head(origin).size;
  // Every entry row, Merkle node and checkpoint is read below, so a damaged page surfaces as an SQLite
  // error there; a whole-file integrity_check would double the I/O for no extra evidence about the log.
  let result: RangeResult;
  try {
    result = await checkEntries(store, origin, size, schedule, options.workers);
  } catch (error) {
    if (!isDamage(error)) throw error;
    return fail(`database file is damaged: ${errorMessage(error)}`);
  }
  if (!result.ok) return fail(result.reason, result.seq);

  const hashes: Uint8Array[] = [];
  for (let i = 0; i < size; i++) hashes.push(result.hashes.subarray(i * 32, i * 32 + 32));
  const tree = new MemoryTree(hashes);
  const root = rootHash(tree, size);
  for (const node of store.interiorNodes(origin)) {
    const expected = (() => {
      try {
        return tree.perfect(node.level, node.idx);
      } catch {
        return undefined;
      }
    })();
    if (!expected || !bytesEqual(expected, node.hash)) return fail(`stored Merkle node ${node.level}/${node.idx} does not match the entries`);
  }
  const notes = [...store.checkpoints(origin).map((c) => ({ note: c.note, held: false })), ...(options.heldCheckpoints ?? []).map((note) => ({ note, held: true }))];
  for (const { note, held } of notes) {
    let checkpoint;
    try {
      checkpoint = openCheckpoint(note, origin, schedule.verifiers);
    } catch (error) {
      return fail(`${held ? 'held' : 'stored'} checkpoint: ${errorMessage(error)}`);
    }
    if (checkpoint.size > size) {
      return fail(`a checkpoint for ${checkpoint.size} entries exists but the log has only ${size}: entries were truncated or the log rolled back`, size);
    }
    if (!bytesEqual(rootHash(tree, checkpoint.size), checkpoint.root)) {
      return fail(`the log does not match its signed checkpoint at size ${checkpoint.size} (root ${toHex(checkpoint.root).slice(0, 16)}…): history was rewritten or forked`);
    }
  }
  return { ok: true, origin, size, root, checkpoints: notes.length, trust: options.trustedKeys ? 'key' : 'store' };
}

async function checkEntries(store: LedgerStore, origin: string, size: number, schedule: KeySchedule, workers?: number): Promise<RangeResult> {
  const count = workers ?? (size >= WORKER_THRESHOLD ? Math.max(1, cpus().length) : 0);
  if (count === 0 || size === 0) return verifyRows(origin, store.range(origin, 0, size), 0, size, ZERO_HASH, schedule);
  const chunk = Math.ceil(size / count);
  const jobs: VerifyJob[] = [];
  for (let start = 0; start < size; start += chunk) {
    jobs.push({ path: store.path, origin, start, end: Math.min(size, start + chunk), keys: schedule.toSpans() });
  }
  const results = await Promise.all(jobs.map(runJob));
  const failures = results.filter((r): r is Extract<RangeResult, { ok: false }> => !r.ok).sort((a, b) => a.seq - b.seq);
  if (failures[0]) return failures[0];
  const hashes = new Uint8Array(size * 32);
  results.forEach((r, i) => {
    if (r.ok) hashes.set(r.hashes, (jobs[i] as VerifyJob).start * 32);
  });
  return { ok: true, hashes };
}

function runJob(job: VerifyJob): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(new URL('./verify-worker.ts', import.meta.url), { workerData: job });
    worker.once('message', (result: RangeResult) => {
      resolve(result.ok ? { ok: true, hashes: new Uint8Array(result.hashes) } : result);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      reject(new MusterError('verify-worker', `verification worker failed: ${errorMessage(error)}`));
    });
  });
}

function onlyOrigin(store: LedgerStore): string {
  const origins = store.origins();
  if (origins.length === 1) return origins[0] as string;
  throw new MusterError('origin-required', origins.length === 0 ? 'the store holds no log' : `the store holds ${origins.length} logs; name one with --origin`);
}

/** SQLite's own report of a damaged file, directly or from a worker thread reading it. */
function isDamage(error: unknown): boolean {
  const message = errorMessage(error);
  return (error as { code?: unknown }).code === 'SQLITE_CORRUPT' || /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(message);
}
