// The few hypercore 11 calls the benchmarks make (the package ships no types).
declare module 'hypercore' {
  export default class Hypercore {
    constructor(storage: string);
    readonly length: number;
    /** Internal to hypercore 11: its RocksDB, whose write-ahead log the durable-append baseline syncs. */
    readonly core: {
      audit(): Promise<unknown>;
      readonly storage: { readonly db: { currentWalFile(): Promise<{ path: string; number: number }> } };
    };
    ready(): Promise<void>;
    append(blocks: Buffer | Buffer[]): Promise<{ length: number }>;
    proof(options: {
      block: { index: number; nodes: number };
      upgrade: { start: number; length: number };
    }): Promise<unknown>;
    close(): Promise<void>;
  }
}
