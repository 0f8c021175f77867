// What lies on an emulated fingerprint sensor's glass, shared by every fingerprint emulator and its control channel.
import { createHash } from 'node:crypto';

export type Finger =
  { readonly kind: 'none' } | { readonly kind: 'poor' } | { readonly kind: 'finger'; readonly name: string };

/** The control channel's view of a fingerprint emulator, whatever its family. */
export interface FingerprintEmulator {
  finger: Finger;
  readonly library: Map<number, Uint8Array>;
  /** Writes `name`'s template straight into slot `id`, as if enrolled earlier. */
  enrolDirect(name: string, id: number): void;
}

/** 32 bytes that identify a finger; emulated templates embed them so the same finger matches across sensors. */
export function fingerIdentity(name: string): Uint8Array {
  return createHash('sha256').update(`finger:${name}`).digest();
}

/** Deterministic filler derived from the identity, so a template looks like opaque feature data. */
export function fillFrom(identity: Uint8Array, out: Uint8Array, offset: number): void {
  for (let block = 0; offset < out.length; block++, offset += 32) {
    out.set(
      createHash('sha256')
        .update(identity)
        .update(String(block))
        .digest()
        .subarray(0, out.length - offset),
      offset,
    );
  }
}
