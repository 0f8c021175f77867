// Files named on the command line are read with a size cap: a path like /dev/zero or a huge file must end in a
// clear error, never in gigabytes held in memory. Devices and pipes report no size, so the cap is on what is read.
import { closeSync, openSync, readSync } from 'node:fs';
import { MusterError, errorMessage } from '../../core/errors.ts';

export function readTextCapped(path: string, maxBytes: number, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new MusterError('unreadable', `cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (;;) {
      const read = readSync(fd, buffer, size, buffer.length - size, null);
      if (read === 0) break;
      size += read;
      if (size > maxBytes) throw new MusterError('too-large', `${what} ${path} is over ${maxBytes} bytes`);
    }
    return buffer.subarray(0, size).toString('utf8');
  } catch (error) {
    if (error instanceof MusterError) throw error;
    throw new MusterError('unreadable', `cannot read ${what} ${path}: ${errorMessage(error)}`);
  } finally {
    closeSync(fd);
  }
}
