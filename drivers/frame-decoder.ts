// A pure, incremental framing parser: bytes in, frames or typed errors out. Implementations must keep their
// buffer bounded and never throw, whatever bytes arrive.
import type { DeviceError } from './device-error.ts';

export type Decoded<F> = { readonly frame: F } | { readonly error: DeviceError };

export interface FrameDecoder<F> {
  push(chunk: Uint8Array): Decoded<F>[];
  /** Forgets any partial frame (after a timeout, so a late half-reply cannot poison the next one). */
  reset(): void;
  /** Bytes held waiting for the rest of a frame; bounded by the protocol's largest frame. */
  readonly buffered: number;
}
