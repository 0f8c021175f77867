// What the Ed25519 ceiling's threads are given, shared by ed25519-ceiling.ts and its worker (which must not load
// the runtime's worker starter, and esbuild with it, just for this type).
export interface CeilingJob {
  readonly seconds: number;
  /** One Int32, set to 1 to start every thread. */
  readonly gate: SharedArrayBuffer;
}
