// Ed25519 signature checks through WebCrypto (crypto.subtle), which Node 20+ and current browsers both provide:
// the evidence verifier runs the same code in the CLI and in the static page. Imported keys are cached by value.
import { toHex } from '../bytes.ts';
import { MusterError } from '../errors.ts';

const keys = new Map<string, Promise<CryptoKey>>();

function importKey(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = toHex(publicKey);
  let key = keys.get(id);
  if (!key) {
    // Outside a secure context (a page over plain http) browsers leave crypto.subtle out.
    const subtle: SubtleCrypto | undefined = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
    if (!subtle)
      throw new MusterError(
        'no-webcrypto',
        'this environment has no WebCrypto (crypto.subtle): open the page over file:// or https://',
      );
    key = subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
    keys.set(id, key);
  }
  return key;
}

export async function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return await globalThis.crypto.subtle.verify(
      { name: 'Ed25519' },
      await importKey(publicKey),
      new Uint8Array(signature),
      new Uint8Array(message),
    );
  } catch (error) {
    // A point that is not on the curve is refused at import: that key signs nothing.
    if (error instanceof MusterError) throw error;
    return false;
  }
}
