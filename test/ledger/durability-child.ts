// Child process for test/ledger/durability.test.ts, run under strace: opens a log store (synchronous as given),
// says `ready`, appends `count` entries one after another and acknowledges each only after its append resolved
// (`acked SEQ HASH` on stdout, one write per line: the acknowledgement is a syscall in the trace). An append
// that fails is reported (`failed CODE`) and ends the run.
import { toHex } from '../../core/bytes.ts';
import { MusterError } from '../../core/errors.ts';
import { readSignerFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';

const [path, keyPath, count, synchronous] = process.argv.slice(2) as [string, string, string, 'FULL' | 'NORMAL'];
const store = LedgerStore.open(path, { synchronous });
const writer = LogWriter.open(store, readSignerFile(keyPath));
process.stdout.write('ready\n');
for (let i = 0; i < Number(count); i++) {
  try {
    const { seq, hash } = await writer.append('checkin', { subject: `p-${i}`, centre: 'c1' });
    process.stdout.write(`acked ${seq} ${toHex(hash)}\n`);
  } catch (error) {
    process.stdout.write(
      `failed ${error instanceof MusterError ? error.code : error instanceof Error ? error.name : 'unknown'}\n`,
    );
    break;
  }
}
store.close();
