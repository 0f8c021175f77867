// The few hypercore 11 calls the benchmarks make (the package ships no types).
declare module 'hypercore' {
  export default class Hypercore {
    constructor(storage: string);
    readonly length: number;
    readonly core: { audit(): Promise<unknown> };
    ready(): Promise<void>;
    append(blocks: Buffer | Buffer[]): Promise<{ length: number }>;
    proof(options: { block: { index: number; nodes: number }; upgrade: { start: number; length: number } }): Promise<unknown>;
    close(): Promise<void>;
  }
}
