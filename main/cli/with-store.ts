// A log store open for the length of one command's work, closed whatever happens.
import { LedgerStore, type OpenOptions } from '../../ledger/store.ts';

export function withStore<T>(path: string, fn: (store: LedgerStore) => T, options: OpenOptions = {}): T {
  const store = LedgerStore.open(path, options);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export async function withStoreAsync<T>(
  path: string,
  fn: (store: LedgerStore) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const store = LedgerStore.open(path, options);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
