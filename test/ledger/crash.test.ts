// Tessera's append contract, proven the way its fault tests do: SIGKILL the writer mid-append, then fsck.
// No entry acknowledged before the kill may be missing or different, and the store must verify.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { fsck } from '../../ledger/fsck.ts';
import { Signer, writeSignerFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { bundledChild } from '../helpers/bundled-child.ts';
import { tempDir } from './fixtures.ts';

const ROUNDS = 20;
const crashChild = bundledChild('test/ledger/crash-child.ts');

/** Runs the child until it has acknowledged `acks` entries, then SIGKILLs it; returns what it acknowledged. */
async function killAfter(path: string, keyPath: string, acks: number): Promise<Map<number, string>> {
  const child = spawn(process.execPath, [crashChild(), path, keyPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<number, string>();
  const exited = once(child, 'exit');
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^acked (\d+) ([0-9a-f]{64})$/.exec(line);
    if (match) acked.set(Number(match[1]), match[2] as string);
    if (acked.size >= acks) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  return acked;
}

describe('crash safety', () => {
  it(
    `loses no acknowledged entry and corrupts nothing when the writer is SIGKILLed (${ROUNDS} kills)`,
    { timeout: 240_000 },
    async () => {
      const dir = tempDir();
      const path = join(dir, 'kiosk.db');
      const keyPath = join(dir, 'kiosk.key');
      const signer = Signer.generate('center-01/kiosk-1');
      writeSignerFile(keyPath, signer);
      const store = LedgerStore.open(path, { create: true });
      LogWriter.init(store, signer.name, signer);
      store.close();

      const acknowledged = new Map<number, string>();
      // A fixed, varied schedule of kill points (no randomness: a failure must reproduce).
      for (let round = 0; round < ROUNDS; round++) {
        for (const [seq, hash] of await killAfter(path, keyPath, 3 + ((round * 37) % 90))) acknowledged.set(seq, hash);
        const result = await fsck(path, { trustedKeys: [signer.verifier], workers: 0 });
        expect(result, `after kill ${round + 1}`).toMatchObject({ ok: true });
        const check = LedgerStore.open(path, { readonly: true });
        for (const [seq, hash] of acknowledged) {
          const row = check.entry(signer.name, seq);
          expect(row && toHex(row.hash), `entry ${seq} after kill ${round + 1}`).toBe(hash);
        }
        check.close();
      }
      expect(acknowledged.size).toBeGreaterThan(ROUNDS * 3);
    },
  );
});
