// Ed25519 keys in the C2SP signed-note formats (golang.org/x/mod/sumdb/note):
//   verifier key  <name>+<key id hex>+<base64(0x01 || public key)>
//   signer key    PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>
// key id = SHA-256(name || 0x0A || 0x01 || public key)[:4]. Private key files are mode 0600 and never leave the machine.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8 } from '../core/bytes.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { sha256 } from './hash.ts';

const ED25519 = 0x01;
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const NAME_PATTERN = /^[^\s+]+$/;

export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(utf8(name), Uint8Array.of(0x0a, ED25519), publicKey).subarray(0, 4);
}

/** A public key that checks signatures, named as in signed notes. */
export class Verifier {
  readonly id: Uint8Array;
  private readonly key: KeyObject;

  constructor(
    readonly name: string,
    readonly publicKey: Uint8Array,
  ) {
    if (!NAME_PATTERN.test(name))
      throw new TypeError(`key name: no spaces or '+' allowed, got ${JSON.stringify(name)}`);
    if (publicKey.length !== 32) throw new TypeError(`publicKey: expected 32 bytes, got ${publicKey.length}`);
    this.id = keyId(name, publicKey);
    this.key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === 64 && verify(null, message, this.key, signature);
  }

  /** The verifier key string (one line). */
  encode(): string {
    return `${this.name}+${toHex(this.id)}+${toBase64(concatBytes(Uint8Array.of(ED25519), this.publicKey))}`;
  }

  static parse(text: string): Verifier {
    // Base64 may itself contain '+': only the first two separate fields (as in sumdb/note).
    const parts = splitFields(text.trim(), 3);
    if (!parts) throw new MusterError('bad-key', 'not a verifier key: expected <name>+<id>+<key>');
    const [name, idHex, data] = parts as [string, string, string];
    const verifier = new Verifier(name, ed25519KeyData(data, 'verifier'));
    checkKeyId(verifier.id, idHex, 'verifier');
    return verifier;
  }

  equals(other: Verifier): boolean {
    return this.name === other.name && bytesEqual(this.publicKey, other.publicKey);
  }
}

/** A private key that signs; holds the seed only in memory. */
export class Signer {
  readonly verifier: Verifier;
  private readonly key: KeyObject;

  private constructor(name: string, seed: Uint8Array) {
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' });
    this.verifier = new Verifier(name, new Uint8Array(spki.subarray(SPKI_PREFIX.length)));
  }

  get name(): string {
    return this.verifier.name;
  }

  get id(): Uint8Array {
    return this.verifier.id;
  }

  sign(message: Uint8Array): Uint8Array {
    return sign(null, message, this.key);
  }

  static generate(name: string): Signer {
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return new Signer(name, new Uint8Array(der.subarray(PKCS8_PREFIX.length)));
  }

  static parse(text: string): Signer {
    const parts = splitFields(text.trim(), 5);
    if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
      throw new MusterError('bad-key', 'not a signer key: expected PRIVATE+KEY+<name>+<id>+<key>');
    }
    const [, , name, idHex, data] = parts as [string, string, string, string, string];
    const signer = new Signer(name, ed25519KeyData(data, 'signer'));
    checkKeyId(signer.id, idHex, 'signer');
    return signer;
  }

  /** The signer key string. Secret: write it only with writeSignerFile. */
  encodeSecret(): string {
    const der = this.key.export({ format: 'der', type: 'pkcs8' });
    const seed = new Uint8Array(der.subarray(PKCS8_PREFIX.length));
    return `PRIVATE+KEY+${this.name}+${toHex(this.id)}+${toBase64(concatBytes(Uint8Array.of(ED25519), seed))}`;
  }
}

/** The 32 key bytes of base64(0x01 || key). */
function ed25519KeyData(data: string, kind: 'signer' | 'verifier'): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = fromBase64(data);
  } catch {
    throw new MusterError('bad-key', `${kind} key data is not base64`);
  }
  if (raw.length !== 33 || raw[0] !== ED25519) throw new MusterError('bad-key', `${kind} key is not an Ed25519 key`);
  return raw.subarray(1);
}

function checkKeyId(id: Uint8Array, idHex: string, kind: 'signer' | 'verifier'): void {
  if (toHex(id) !== idHex.toLowerCase()) throw new MusterError('bad-key', `${kind} key id does not match the key`);
}

/** Splits on the first count-1 '+' signs; the last field keeps any further ones. */
function splitFields(text: string, count: number): string[] | undefined {
  const fields: string[] = [];
  let rest = text;
  for (let i = 1; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    fields.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  fields.push(rest);
  return fields.every((f) => f !== '') ? fields : undefined;
}

/** Writes a new private key file (mode 0600, refusing to overwrite) and its public key beside it (`FILE.pub`). */
export function writeSignerFile(path: string, signer: Signer): void {
  writeFileSync(path, `${signer.encodeSecret()}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  writeFileSync(`${path}.pub`, `${signer.verifier.encode()}\n`, { mode: 0o644 });
}

/** Reads a private key file; refuses one that others can read, as ssh does. */
export function readSignerFile(path: string): Signer {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MusterError('key-unreadable', `cannot read key file ${path}: ${errorMessage(error)}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new MusterError(
      'key-permissions',
      `key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  try {
    return Signer.parse(text);
  } catch (error) {
    throw new MusterError('bad-key', `key file ${path}: ${errorMessage(error)}`);
  }
}

/**
 * Reads a public key file: one verifier key per line, the log's genesis key first and each rotated-in key
 * after it (`ledger rotate-key` appends), so one file verifies the log across rotations.
 */
export function readVerifierFile(path: string): Verifier[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MusterError('key-unreadable', `cannot read public key file ${path}: ${errorMessage(error)}`);
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new MusterError('bad-key', `public key file ${path} is empty`);
  return lines.map((line, i) => {
    try {
      return Verifier.parse(line);
    } catch (error) {
      throw new MusterError('bad-key', `public key file ${path} line ${i + 1}: ${errorMessage(error)}`);
    }
  });
}

/** Loads the key at `path`, generating it on first start. */
export function loadOrCreateSigner(path: string, name: string): { signer: Signer; created: boolean } {
  if (existsSync(path)) {
    const signer = readSignerFile(path);
    if (signer.name !== name)
      throw new MusterError(
        'bad-key',
        `key file ${path} is for ${JSON.stringify(signer.name)}, not ${JSON.stringify(name)}`,
      );
    return { signer, created: false };
  }
  const signer = Signer.generate(name);
  writeSignerFile(path, signer);
  return { signer, created: true };
}
