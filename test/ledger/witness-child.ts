// Child process for test/ledger/durability.test.ts: HQ's SQLite store (entries at synchronous=NORMAL) accepts a
// witness state, then says `cosigned` (the moment a cosignature would leave), under strace; a state that could not
// be made durable says `failed` with its error code and message instead.
import { MusterError } from '../../core/errors.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';

const [path] = process.argv.slice(2) as [string];
const store = SqliteHqStore.open(path);
process.stdout.write('ready\n');
for (let size = 1; size <= 2; size++) {
  try {
    const stored = await store.setWitnessed(
      'c1/k1',
      { size, root: new Uint8Array(32).fill(size), note: `note ${size}`, at: size },
      size === 1 ? undefined : size - 1,
    );
    if (stored) process.stdout.write(`acked ${size} cosigned\n`);
  } catch (error) {
    process.stdout.write(
      error instanceof MusterError ? `failed ${error.code}: ${error.message}\n` : `failed: ${String(error)}\n`,
    );
    break;
  }
}
await store.close().catch(() => undefined);
