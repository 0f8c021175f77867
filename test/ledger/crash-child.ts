// Child process for the crash test: appends to a log as fast as it can and reports each entry only after
// its append resolved (i.e. after the commit), until it is killed.
import { toHex } from '../../core/bytes.ts';
import { readSignerFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';

const [path, keyPath] = process.argv.slice(2) as [string, string];
const store = LedgerStore.open(path);
const writer = LogWriter.open(store, readSignerFile(keyPath));
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  // Alternate single appends and same-tick groups, so both commit paths are killed mid-way.
  const group = round % 2 === 0 ? 1 : 1 + (round % 7);
  const appended = await Promise.all(
    Array.from({ length: group }, (_, i) => writer.append('checkin', { subject: `p-${round}-${i}` })),
  );
  process.stdout.write(appended.map((a) => `acked ${a.seq} ${toHex(a.hash)}\n`).join(''));
}
