// Child process for test/ledger/durability.test.ts: HQ's SQLite store (entries at synchronous=NORMAL) accepts a
// witness state, then says `cosigned` (the moment a cosignature would leave), under strace.
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';

const [path] = process.argv.slice(2) as [string];
const store = SqliteHqStore.open(path);
process.stdout.write('ready\n');
for (let size = 1; size <= 2; size++) {
  const stored = await store.setWitnessed('c1/k1', { size, root: new Uint8Array(32).fill(size), note: `note ${size}`, at: size }, size === 1 ? undefined : size - 1);
  if (stored) process.stdout.write(`acked ${size} cosigned\n`);
}
await store.close();
