import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import { encodeCanonical } from '../../core/canonical.ts';
import { type EntryBody, checkPayload, decodeLeaf, encodeBody, encodeLeaf } from '../../core/entry.ts';
import { entrySignatureValid, signEntry } from '../../ledger/entry-signing.ts';
import { Signer } from '../../ledger/keys.ts';
import { PETER_SIGNER_KEY } from './fixtures.ts';

const peter = Signer.parse(PETER_SIGNER_KEY);
const BODY: EntryBody = {
  v: 1,
  origin: 'PeterNeumann',
  seq: 1,
  ts: 1796025600000, // 2026-11-30T08:00:00Z
  type: 'checkin',
  prev: new Uint8Array(32).fill(0x11),
  kid: peter.id,
  payload: { subject: 'p-0042', methods: ['fingerprint', 'face'], distance: 0.25 },
};

// Golden vectors. The body is a CBOR map of 8 with keys in RFC 8949 bytewise order of their encodings:
//   a8                      map(8)
//   61 76 01                "v": 1
//   62 7473 1b 000001a22b77c800          "ts": 1796025600000
//   63 6b6964 44 c74f20a3                "kid": key id of the sumdb test key
//   63 736571 01                         "seq": 1
//   64 70726576 5820 11…11               "prev": 32 bytes
//   64 74797065 67 636865636b696e        "type": "checkin"
//   66 6f726967696e 6c 50…6e             "origin": "PeterNeumann"
//   67 7061796c6f6164 a3 …               "payload": { "methods", "subject", "distance": f9 3400 (0.25 as float16) }
const BODY_HEX =
  'a86176016274731b000001a22b77c800636b696444c74f20a36373657101647072657658201111111111111111111111111111111111111111111111111111111111111111647479706567636865636b696e666f726967696e6c50657465724e65756d616e6e677061796c6f6164a3676d6574686f6473826b66696e6765727072696e746466616365677375626a65637466702d303034326864697374616e6365f93400';
// The leaf: 82 (array of 2), 58a4 (164-byte body), the body, 5840 (64-byte signature), the Ed25519 signature
// over "muster/entry/v1" || 00 || body.
const SIGNATURE_HEX =
  'be65294295f14b9eed09025cc7c082f4c6c52124278efb2796258f8d7742315672317d0b739b4fa2d6414559409a254d976d380632291d17c7a855a27b00c409';
const LEAF_HASH_HEX = '436bef3219c73b3e4d3f95b05cb3af75e2787616977ee6fd9e385f41eabb9512';

describe('entry encoding', () => {
  it('encodes the body to its golden bytes', () => {
    expect(toHex(encodeBody(BODY))).toBe(BODY_HEX);
  });

  it('signs to the golden leaf and leaf hash (Ed25519 is deterministic)', () => {
    const signed = signEntry(BODY, peter);
    expect(toHex(signed.leaf)).toBe(`8258a4${BODY_HEX}5840${SIGNATURE_HEX}`);
    expect(toHex(signed.hash)).toBe(LEAF_HASH_HEX);
  });

  it('decodes the golden leaf back to the same body and checks its signature', () => {
    const decoded = decodeLeaf(fromHex(`8258a4${BODY_HEX}5840${SIGNATURE_HEX}`));
    expect(toHex(encodeBody(decoded.body))).toBe(BODY_HEX);
    expect(decoded.body.payload).toEqual(BODY.payload);
    expect(entrySignatureValid(decoded, peter.verifier)).toBe(true);
    expect(entrySignatureValid(decoded, Signer.generate('PeterNeumann').verifier)).toBe(false);
  });

  it('makes the signature cover a domain prefix, so a body signed raw does not verify', () => {
    const rawSigned = encodeLeaf(encodeBody(BODY), peter.sign(encodeBody(BODY)));
    expect(entrySignatureValid(decodeLeaf(rawSigned), peter.verifier)).toBe(false);
  });

  const leafWith = (body: Record<string, unknown>): Uint8Array =>
    encodeLeaf(encodeCanonical(body as never), new Uint8Array(64));
  it.each([
    ['not CBOR', () => fromHex('ff')],
    ['not an array', () => encodeCanonical({})],
    ['signature of the wrong size', () => encodeLeaf(encodeBody(BODY), new Uint8Array(63))],
    ['missing field', () => leafWith(Object.fromEntries(Object.entries(BODY).filter(([k]) => k !== 'ts')))],
    ['extra field', () => leafWith({ ...BODY, extra: 1 })],
    ['unknown version', () => leafWith({ ...BODY, v: 2 })],
    ['unknown type', () => leafWith({ ...BODY, type: 'party' })],
    ['negative seq', () => leafWith({ ...BODY, seq: -1 })],
    ['fractional ts', () => leafWith({ ...BODY, ts: 1.5 })],
    ['short prev', () => leafWith({ ...BODY, prev: new Uint8Array(31) })],
    ['bad origin', () => leafWith({ ...BODY, origin: 'has space' })],
    ['payload not a map', () => leafWith({ ...BODY, payload: [1] })],
    ['non-canonical body', () => encodeLeaf(fromHex(BODY_HEX.replace(/^a8617601/, 'a861761801')), new Uint8Array(64))],
    ['oversized', () => new Uint8Array(20_000)],
    ['non-minimal body length header', () => fromHex(`82580a${'00'.repeat(10)}5840${'00'.repeat(64)}`)],
    ['trailing bytes', () => fromHex(`8258a4${BODY_HEX}5840${SIGNATURE_HEX}00`)],
    ['truncated signature', () => fromHex(`8258a4${BODY_HEX}5840${SIGNATURE_HEX.slice(0, -2)}`)],
    ['truncated body', () => fromHex(`8258a4${BODY_HEX.slice(0, 40)}`)],
    ['three elements', () => fromHex(`8358a4${BODY_HEX}5840${SIGNATURE_HEX}`)],
  ])('refuses a malformed leaf: %s', (_name, make) => {
    expect(() => decodeLeaf(make())).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^(malformed|non-canonical)$/) as unknown }),
    );
  });

  it('keeps personal data off the log', () => {
    expect(() => checkPayload({ subject: 'p-1', name: 'Zhang Wei' })).toThrow(/personal data/);
    expect(() => checkPayload({ subject: 'p-1', nested: [{ id_number: '110101199003077777' }] })).toThrow(
      /\$\.nested\[0\]\.id_number/,
    );
    expect(() => checkPayload({ subject: 'p-1', faceTemplate: new Uint8Array(512) })).toThrow(/personal data/);
    expect(checkPayload({ subject: 'p-1', commitment: new Uint8Array(32) })).toEqual({
      subject: 'p-1',
      commitment: new Uint8Array(32),
    });
  });

  it('bounds payloads', () => {
    expect(() => checkPayload({ blob: 'x'.repeat(9000) })).toThrow(/limit/);
    expect(() => checkPayload([1] as never)).toThrow(/object/);
    expect(() => checkPayload(null)).toThrow(/object/);
  });

  it('decodes envelopes alone (fsck) with exactly the verdicts of a full decode, on mutated leaves', () => {
    const leaf = signEntry(BODY, peter).leaf;
    const genesis = signEntry(
      { ...BODY, seq: 0, type: 'genesis', payload: { key: peter.verifier.publicKey } },
      peter,
    ).leaf;
    const verdict = (bytes: Uint8Array, payloads: 'all' | 'key-entries') => {
      try {
        return decodeLeaf(bytes, payloads).body;
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    fc.assert(
      fc.property(fc.constantFrom(leaf, genesis), fc.nat(), fc.nat(255), (base, at, byte) => {
        const bytes = Uint8Array.from(base, (b, i) => (i === at % base.length ? byte : b));
        const full = verdict(bytes, 'all');
        const envelope = verdict(bytes, 'key-entries');
        if (typeof full === 'string' || typeof envelope === 'string') expect(typeof envelope).toBe(typeof full);
        else expect(envelope).toEqual(full.type === 'genesis' ? full : { ...full, payload: {} });
      }),
      { seed: 20261129, numRuns: 3000 },
    );
  });
});
