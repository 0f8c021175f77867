// fsck: checks a log end to end. Every entry's sequence number (no gaps), prev link, key and signature;
// the stored Merkle nodes against a tree rebuilt from the entries; every checkpoint the store holds and
// every checkpoint the verifier already holds (a log smaller than a checkpoint seen before was truncated
// or rolled back; a different root at a seen size is a fork). Reports the first bad entry and why.
import { cpus } from 'node:os';
import { bytesEqual, toHex } from '../core/bytes.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { startWorker } from '../runtime/worker.ts';
import type { KeySchedule } from './key-schedule.ts';
import { loadKeyScheduleUntilBad } from './registry.ts';
import type { Verifier } from './keys.ts';
import { BlockTree } from './block-tree.ts';
import { rootHash } from './merkle.ts';
import { openCheckpoint } from './note.ts';
import { LedgerStore } from './store.ts';
import { type BlockPlan, type BlockResult, blockCount, claimBlocks, WORKER_DONE } from './verify-block.ts';
import type { VerifyJob } from './verify-worker.ts';

export interface FsckOptions {
  readonly origin?: string;
  /** The log's public keys from outside the store (its genesis key among them); without them the store's recorded genesis key is trusted. */
  readonly trustedKeys?: readonly Verifier[];
  /** Signed checkpoints the verifier already holds (notes). */
  readonly heldCheckpoints?: readonly string[];
  /** Worker threads verifying beside this one; 0 checks in this thread only. Default: one per further core. */
  readonly workers?: number;
  /** Blocks of 2^blockLevel entries are the unit of parallel work (default 8: about 50 ms of work on a 2-core development machine, so no thread idles long at the end); tests use small blocks. */
  readonly blockLevel?: number;
}

export type FsckResult =
  | {
      readonly ok: true;
      readonly origin: string;
      readonly size: number;
      readonly root: Uint8Array;
      readonly checkpoints: number;
      readonly trust: 'key' | 'store';
    }
  | { readonly ok: false; readonly origin: string; readonly seq?: number; readonly reason: string };

const BLOCK_LEVEL = 8;

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
  const fail = (reason: string, seq?: number): FsckResult => ({
    ok: false,
    origin,
    reason,
    ...(seq === undefined ? {} : { seq }),
  });
  const log = store.log(origin);
  if (!log) return fail(`the store holds no log for ${origin}`);
  if (options.trustedKeys && !options.trustedKeys.some((k) => bytesEqual(k.publicKey, log.genesisKey))) {
    return fail('the log was not started by any of the trusted keys (log replaced?)', 0);
  }
  let loaded: ReturnType<typeof loadKeyScheduleUntilBad>;
  try {
    loaded = loadKeyScheduleUntilBad(store, origin, log.genesisKey);
  } catch (error) {
    return fail(errorMessage(error), 0);
  }
  const { schedule, failure } = loaded;
  // A bad key entry ends what can be checked, but the first bad entry may still lie before it: the entries
  // before it are checked under the keys in force before it.
  const size = failure ? failure.seq : store.head(origin).size;
  const plan: BlockPlan = { origin, size, blockLevel: options.blockLevel ?? BLOCK_LEVEL };
  // Every entry row, Merkle node and checkpoint is read below, so a damaged page surfaces as an SQLite
  // error there; a whole-file integrity_check would double the I/O for no extra evidence about the log.
  let tree: BlockTree;
  try {
    const blocks = await checkBlocks(store, plan, schedule, options.workers);
    if (!blocks.ok) return fail(blocks.reason, blocks.seq);
    if (failure) return fail(failure.reason, failure.seq);
    tree = new BlockTree(plan, blocks.levels);
    const upper = checkUpperNodes(store, plan, tree, blocks.nodes);
    if (upper) return fail(upper);
  } catch (error) {
    if (!isDamage(error)) throw error;
    return fail(`database file is damaged: ${errorMessage(error)}`);
  }
  const root = rootHash(tree, size);
  const notes = [
    ...store.checkpoints(origin).map((c) => ({ note: c.note, held: false })),
    ...(options.heldCheckpoints ?? []).map((note) => ({ note, held: true })),
  ];
  for (const { note, held } of notes) {
    let checkpoint;
    try {
      checkpoint = openCheckpoint(note, origin, schedule.verifiers);
    } catch (error) {
      return fail(`${held ? 'held' : 'stored'} checkpoint: ${errorMessage(error)}`);
    }
    if (checkpoint.size > size) {
      return fail(
        `a checkpoint for ${checkpoint.size} entries exists but the log has only ${size}: entries were truncated or the log rolled back`,
        size,
      );
    }
    if (!bytesEqual(rootHash(tree, checkpoint.size), checkpoint.root)) {
      return fail(
        `the log does not match its signed checkpoint at size ${checkpoint.size} (root ${toHex(checkpoint.root).slice(0, 16)}…): history was rewritten or forked`,
      );
    }
  }
  return { ok: true, origin, size, root, checkpoints: notes.length, trust: options.trustedKeys ? 'key' : 'store' };
}

type BlocksResult =
  | { readonly ok: true; readonly levels: Uint8Array[]; readonly nodes: number }
  | { readonly ok: false; readonly seq?: number; readonly reason: string };

/** Verifies every block, on this thread and `workers` more, and returns the lowest failure or every block's tree. */
async function checkBlocks(
  store: LedgerStore,
  plan: BlockPlan,
  schedule: KeySchedule,
  workers?: number,
): Promise<BlocksResult> {
  const total = blockCount(plan);
  const claims = new SharedArrayBuffer(4);
  const count = total < 2 ? 0 : (workers ?? Math.max(0, cpus().length - 1));
  const results: BlockResult[] = [];
  const job: VerifyJob = { path: store.path, plan, keys: schedule.toSpans(), claims };
  const started = Array.from({ length: count }, () =>
    startWorker(new URL('./verify-worker.ts', import.meta.url), { workerData: job, selfContained: true }),
  );
  try {
    const finished = started.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on('message', (message: BlockResult | typeof WORKER_DONE) => {
            if (message === WORKER_DONE) resolve();
            else results.push(message);
          });
          worker.once('error', (error) => {
            reject(
              isDamage(error)
                ? error
                : new MusterError('verify-worker', `verification worker failed: ${errorMessage(error)}`),
            );
          });
          worker.once('exit', () => {
            reject(new MusterError('verify-worker', 'verification worker exited early'));
          });
        }),
    );
    // This thread verifies too, so a worker's start-up time is never idle time; it yields between blocks
    // so the workers' results are taken in as they come.
    for (const result of claimBlocks(store, plan, schedule, new Int32Array(claims))) {
      results.push(result);
      await new Promise(setImmediate);
    }
    await Promise.all(finished);
  } finally {
    await Promise.all(started.map((worker) => worker.terminate()));
  }
  const failure = results
    .filter((r): r is Extract<BlockResult, { ok: false }> => !r.ok)
    .sort((a, b) => a.block - b.block)[0];
  if (failure) return { ok: false, reason: failure.reason, ...(failure.seq === undefined ? {} : { seq: failure.seq }) };
  const levels: Uint8Array[] = [];
  let nodes = 0;
  for (const result of results) {
    if (!result.ok) continue;
    levels[result.block] = result.levels;
    nodes += result.nodes;
  }
  return { ok: true, levels, nodes };
}

/** Nodes above the block level match the rebuilt tree, and no node is stored beyond it. */
function checkUpperNodes(
  store: LedgerStore,
  plan: BlockPlan,
  tree: BlockTree,
  checkedNodes: number,
): string | undefined {
  const { above, atOrBelow } = store.nodesAbove(plan.origin, plan.blockLevel);
  if (atOrBelow !== checkedNodes) return `${atOrBelow - checkedNodes} stored Merkle nodes lie beyond the log's entries`;
  for (const node of above) {
    let expected: Uint8Array | undefined;
    try {
      expected = tree.perfect(node.level, node.idx);
    } catch {
      expected = undefined;
    }
    if (!expected || !bytesEqual(expected, node.hash))
      return `stored Merkle node ${node.level}/${node.idx} does not match the entries`;
  }
  return undefined;
}

function onlyOrigin(store: LedgerStore): string {
  const origins = store.origins();
  if (origins.length === 1) return origins[0] as string;
  throw new MusterError(
    'origin-required',
    origins.length === 0 ? 'the store holds no log' : `the store holds ${origins.length} logs; name one with --origin`,
  );
}

/** SQLite's own report of a damaged file, directly or from a worker thread reading it. */
function isDamage(error: unknown): boolean {
  const message = errorMessage(error);
  return (
    (error as { code?: unknown }).code === 'SQLITE_CORRUPT' ||
    /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(message)
  );
}
