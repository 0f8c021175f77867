// The append contract at the syscall level, the way Tessera proves its own: LogWriter.append MUST NOT resolve
// before its entry is durable. strace records the writer's I/O; one test re-runs the appends once per
// occurrence of each write and sync syscall, killing the writer there (and failing each sync with EIO), then runs
// fsck: no acknowledged entry may be missing, and an append whose sync failed is never acknowledged. The other
// reads a normal run's trace: every acknowledgement must follow an fsync of the WAL after that entry's write. It
// passes with the store's synchronous=FULL and fails with NORMAL (shown below), which a SIGKILL alone never shows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { fsck } from '../../ledger/fsck.ts';
import { Signer, writeSignerFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { bundledChild } from '../helpers/bundled-child.ts';
import { tempDir } from './fixtures.ts';

const STRACE = '/usr/bin/strace';
const SYNCS = ['fsync', 'fdatasync'] as const;
const TRACED = ['pwrite64', 'write', ...SYNCS] as const;
/** Appends per run: the second is where a kill proves the first one durable. */
const APPENDS = 2;
const durabilityChild = bundledChild('test/ledger/durability-child.ts');
const witnessChild = bundledChild('test/ledger/witness-child.ts');

interface Fixture {
  readonly path: string;
  readonly keyPath: string;
}

function fixture(): Fixture {
  const dir = tempDir();
  const path = join(dir, 'kiosk.db');
  const keyPath = join(dir, 'kiosk.key');
  const signer = Signer.generate('c1/k1');
  writeSignerFile(keyPath, signer);
  const store = LedgerStore.open(path, { create: true });
  LogWriter.init(store, signer.name, signer);
  store.close();
  return { path, keyPath };
}

/** Runs the child under strace with `args` and returns its stdout lines. */
function traced(f: Fixture, straceArgs: readonly string[], synchronous: 'FULL' | 'NORMAL' = 'FULL'): string[] {
  const child = [process.execPath, durabilityChild(), f.path, f.keyPath, String(APPENDS), synchronous];
  const run = spawnSync(STRACE, ['-f', '-qq', ...straceArgs, '--', ...child], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return run.stdout.split('\n').filter((line) => line !== '');
}

/** One syscall line of `strace -f -y` output: pid, name, first argument's path (if a file). */
interface Call {
  readonly pid: number;
  readonly name: string;
  readonly file: string;
  readonly line: string;
}

function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+)\s+(\w+)\((\d+)(?:<([^>]*)>)?/.exec(line);
    if (match) calls.push({ pid: Number(match[1]), name: match[2] as string, file: match[4] ?? '', line });
  }
  return calls;
}

/** A normal run's trace, from the child's `ready` on. */
function normalTrace(f: Fixture, synchronous: 'FULL' | 'NORMAL'): Call[] {
  const out = join(tempDir(), 'trace');
  traced(f, ['-y', '-e', `trace=${TRACED.join(',')}`, '-o', out], synchronous);
  const calls = parseTrace(readFileSync(out, 'utf8'));
  const ready = calls.findIndex((c) => c.name === 'write' && c.line.includes('"ready\\n"'));
  expect(ready).toBeGreaterThanOrEqual(0);
  return calls.slice(ready + 1);
}

/**
 * Acknowledgements not preceded by an fsync of the WAL after that entry's last write to it (empty: every
 * acknowledgement was durable when it was given).
 */
function undurableAcks(calls: readonly Call[]): string[] {
  const bad: string[] = [];
  let written = false;
  for (const call of calls) {
    if (call.file.endsWith('-wal') && call.name === 'pwrite64') written = true;
    else if (call.file.endsWith('-wal') && (SYNCS as readonly string[]).includes(call.name)) written = false;
    else if (call.name === 'write' && call.line.includes('"acked ')) {
      if (written) bad.push(call.line);
      written = false;
    }
  }
  return bad;
}

function acks(lines: readonly string[]): Map<number, string> {
  const acked = new Map<number, string>();
  for (const line of lines) {
    const match = /^acked (\d+) ([0-9a-f]{64})$/.exec(line);
    if (match) acked.set(Number(match[1]), match[2] as string);
  }
  return acked;
}

/** fsck passes and every acknowledged entry is in the store, unchanged. */
async function expectDurable(f: Fixture, acked: ReadonlyMap<number, string>, what: string): Promise<void> {
  const result = await fsck(f.path, { workers: 0 });
  expect(result, what).toMatchObject({ ok: true });
  const store = LedgerStore.open(f.path, { readonly: true });
  try {
    for (const [seq, hash] of acked)
      expect(toHex(store.entry('c1/k1', seq)?.hash ?? new Uint8Array()), `${what}: acknowledged entry ${seq}`).toBe(
        hash,
      );
  } finally {
    store.close();
  }
}

describe('durability at the syscall level (strace)', () => {
  it(
    'every acknowledgement follows an fsync of the WAL after the entry was written; with synchronous=NORMAL it does not',
    { timeout: 120_000 },
    () => {
      const full = normalTrace(fixture(), 'FULL');
      expect(full.filter((c) => c.name === 'write' && c.line.includes('"acked '))).toHaveLength(APPENDS);
      expect(undurableAcks(full)).toEqual([]);
      // The same check on a store opened with synchronous=NORMAL: WAL commits are not synced, so it must fail.
      const normal = normalTrace(fixture(), 'NORMAL');
      expect(normal.filter((c) => c.name === 'write' && c.line.includes('"acked '))).toHaveLength(APPENDS);
      expect(undurableAcks(normal)).toHaveLength(APPENDS);
    },
  );

  it(
    "HQ's witness state is durable before a cosignature leaves, though HQ stores entries with synchronous=NORMAL",
    { timeout: 120_000 },
    () => {
      const out = join(tempDir(), 'witness');
      const path = join(tempDir(), 'hq.db');
      const run = spawnSync(
        STRACE,
        ['-f', '-qq', '-y', '-e', `trace=${TRACED.join(',')}`, '-o', out, '--', process.execPath, witnessChild(), path],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stdout).toBe('ready\nacked 1 cosigned\nacked 2 cosigned\n');
      const calls = parseTrace(readFileSync(out, 'utf8'));
      const after = calls.slice(calls.findIndex((c) => c.name === 'write' && c.line.includes('"ready\\n"')) + 1);
      expect(undurableAcks(after)).toEqual([]);
    },
  );

  it(
    'a witness state whose sync fails (EIO) is refused as store-io naming SQLITE_IOERR, and no cosignature is said to leave',
    { timeout: 120_000 },
    () => {
      const child = [process.execPath, witnessChild()];
      // A reference run counts the main thread's syncs before `ready` (strace's when= counts them from the start).
      const out = join(tempDir(), 'witness-reference');
      spawnSync(
        STRACE,
        ['-f', '-qq', '-y', '-e', `trace=${TRACED.join(',')}`, '-o', out, '--', ...child, join(tempDir(), 'hq.db')],
        { encoding: 'utf8', timeout: 60_000 },
      );
      const calls = parseTrace(readFileSync(out, 'utf8'));
      const ready = calls.findIndex((c) => c.name === 'write' && c.line.includes('"ready\\n"'));
      expect(ready).toBeGreaterThanOrEqual(0);
      const main = calls[ready]?.pid;
      const before = calls.slice(0, ready).filter((c) => c.pid === main);
      const inject = SYNCS.flatMap((name) => [
        '-e',
        `inject=${name}:error=EIO:when=${before.filter((c) => c.name === name).length + 1}+`,
      ]);
      // Its trace goes to /dev/null: on stderr it outgrows spawnSync's buffer, and the child is killed unheard.
      const run = spawnSync(
        STRACE,
        ['-f', '-qq', '-o', '/dev/null', ...inject, '--', ...child, join(tempDir(), 'hq.db')],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(run.stdout).toMatch(
        /^ready\nfailed store-io: record the witnessed checkpoints failed: SQLITE_IOERR\w*: .*\n$/,
      );
      expect(run.stdout).not.toContain('cosigned');
    },
  );

  it(
    'killed at every write and sync of an append, and failing every sync with EIO: fsck passes, nothing acknowledged is lost, a failed sync is never acknowledged',
    { timeout: 600_000 },
    async () => {
      // Occurrences per syscall on the writer's thread, counted from process start as strace's when= counts them;
      // those after `ready` belong to the appends.
      const reference = fixture();
      const out = join(tempDir(), 'reference');
      traced(reference, ['-y', '-e', `trace=${TRACED.join(',')}`, '-o', out]);
      const all = parseTrace(readFileSync(out, 'utf8'));
      const ready = all.findIndex((c) => c.name === 'write' && c.line.includes('"ready\\n"'));
      expect(ready).toBeGreaterThanOrEqual(0);
      const main = all[ready]?.pid;
      const before = all.slice(0, ready).filter((c) => c.pid === main);
      const after = all.slice(ready + 1).filter((c) => c.pid === main);
      const injected = ['pwrite64', ...SYNCS];
      const ranges = new Map(
        injected.map((name) => [
          name,
          {
            from: before.filter((c) => c.name === name).length + 1,
            count: after.filter((c) => c.name === name).length,
          },
        ]),
      );
      expect(ranges.get('pwrite64')?.count).toBeGreaterThan(0);
      expect((ranges.get('fsync')?.count ?? 0) + (ranges.get('fdatasync')?.count ?? 0)).toBeGreaterThanOrEqual(APPENDS);
      let runs = 0;
      let failedAppends = 0;
      for (const [name, { from, count }] of ranges) {
        for (let n = from; n < from + count; n++) {
          const killed = fixture();
          const lines = traced(killed, [
            '-e',
            `trace=${name}`,
            '-e',
            `inject=${name}:signal=KILL:when=${n}`,
            '-o',
            '/dev/null',
          ]);
          await expectDurable(killed, acks(lines), `killed at ${name} #${n}`);
          runs++;
          if (!(SYNCS as readonly string[]).includes(name)) continue;
          const failing = fixture();
          const eio = traced(failing, [
            '-e',
            `trace=${name}`,
            '-e',
            `inject=${name}:error=EIO:when=${n}`,
            '-o',
            '/dev/null',
          ]);
          const acked = acks(eio);
          const failed = eio.find((line) => line.startsWith('failed '));
          // A sync that failed inside an append failed that append (store-io, SQLite's IOERR wrapped), which was never
          // acknowledged; one after the last append (the checkpoint at close) left every append acknowledged.
          if (acked.size < APPENDS) expect(failed, `${name} #${n} failing with EIO`).toBe('failed store-io');
          else expect(failed, `${name} #${n} failing with EIO`).toBeUndefined();
          failedAppends += acked.size < APPENDS ? 1 : 0;
          await expectDurable(failing, acked, `EIO at ${name} #${n}`);
          runs++;
        }
      }
      expect(runs).toBeGreaterThan(APPENDS);
      expect(failedAppends).toBeGreaterThanOrEqual(APPENDS);
    },
  );
});
