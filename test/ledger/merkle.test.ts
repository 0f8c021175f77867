import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import { EMPTY_ROOT, leafHash, nodeHash } from '../../ledger/hash.ts';
import {
  MemoryTree,
  consistencyProof,
  inclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from '../../ledger/merkle.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { Signer } from '../../ledger/keys.ts';
import { join } from 'node:path';
import { tempDir } from './fixtures.ts';

// RFC 6962 test vectors from the Certificate Transparency reference implementation: the eight leaf inputs,
// the roots of every prefix, and published inclusion and consistency proofs.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => leafHash(fromHex(h)));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION: Array<[number, number, string[]]> = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CT_CONSISTENCY: Array<[number, number, string[]]> = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

/** MTH straight from the RFC 6962 definition, independent of the code under test. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const hashes = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i, i >> 8, 0x5a)));
const flip = (h: Uint8Array): Uint8Array => Uint8Array.from(h, (b, i) => (i === 0 ? b ^ 1 : b));
const MAX = 64;

describe('RFC 6962 Merkle tree', () => {
  it('computes the reference roots for sizes 0 to 8', () => {
    const tree = new MemoryTree(CT_LEAVES);
    for (let n = 0; n <= 8; n++) expect(toHex(rootHash(tree, n)), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it.each(CT_INCLUSION)(
    'produces and verifies the published inclusion proof for leaf %i of %i',
    (index, size, proof) => {
      const tree = new MemoryTree(CT_LEAVES.slice(0, size));
      expect(inclusionProof(tree, index, size).map(toHex)).toEqual(proof);
      expect(
        verifyInclusion(
          index,
          size,
          CT_LEAVES[index] as Uint8Array,
          proof.map(fromHex),
          fromHex(CT_ROOTS[size] as string),
        ),
      ).toBe(true);
    },
  );

  it.each(CT_CONSISTENCY)('produces and verifies the published consistency proof from %i to %i', (from, to, proof) => {
    const tree = new MemoryTree(CT_LEAVES.slice(0, to));
    expect(consistencyProof(tree, from, to).map(toHex)).toEqual(proof);
    expect(
      verifyConsistency(
        from,
        to,
        fromHex(CT_ROOTS[from] as string),
        fromHex(CT_ROOTS[to] as string),
        proof.map(fromHex),
      ),
    ).toBe(true);
  });

  it(`proves every leaf of every tree up to size ${MAX}, and refuses every tampered proof`, () => {
    const all = hashes(MAX);
    const tree = new MemoryTree(all);
    for (let size = 1; size <= MAX; size++) {
      const root = referenceRoot(all.slice(0, size));
      expect(rootHash(tree, size)).toEqual(root);
      for (let index = 0; index < size; index++) {
        const leaf = all[index] as Uint8Array;
        const proof = inclusionProof(tree, index, size);
        expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
        expect(verifyInclusion(index, size, flip(leaf), proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leaf, proof, flip(root))).toBe(false);
        expect(verifyInclusion(index, index, leaf, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaf, proof, root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(index, size, leaf, proof.slice(1), root)).toBe(false);
          expect(
            verifyInclusion(index, size, leaf, [...proof.slice(0, -1), flip(proof.at(-1) as Uint8Array)], root),
          ).toBe(false);
        }
        expect(verifyInclusion(index, size, leaf, [...proof, root], root)).toBe(false);
      }
    }
  });

  it(`proves consistency between every pair of sizes up to ${MAX}, and refuses forks`, () => {
    const all = hashes(MAX);
    const forked = all.map((h, i) => (i === 0 ? flip(h) : h));
    const tree = new MemoryTree(all);
    const roots = Array.from({ length: MAX + 1 }, (_, n) => referenceRoot(all.slice(0, n)));
    for (let to = 1; to <= MAX; to++) {
      for (let from = 1; from <= to; from++) {
        const proof = consistencyProof(tree, from, to);
        expect(
          verifyConsistency(from, to, roots[from] as Uint8Array, roots[to] as Uint8Array, proof),
          `${from}->${to}`,
        ).toBe(true);
        if (from < to) {
          expect(
            verifyConsistency(from, to, referenceRoot(forked.slice(0, from)), roots[to] as Uint8Array, proof),
          ).toBe(false);
          expect(verifyConsistency(from, to, roots[from] as Uint8Array, flip(roots[to] as Uint8Array), proof)).toBe(
            false,
          );
          expect(
            verifyConsistency(from, to, roots[from] as Uint8Array, roots[to] as Uint8Array, proof.slice(0, -1)),
          ).toBe(false);
          expect(verifyConsistency(to, from, roots[to] as Uint8Array, roots[from] as Uint8Array, proof)).toBe(false);
        }
      }
    }
  });

  it('gives the same roots and proofs from the SQLite node table as from memory, at every size', async () => {
    const path = join(tempDir(), 'tree.db');
    const store = LedgerStore.open(path, { create: true });
    const writer = LogWriter.init(store, 'kiosk', Signer.generate('kiosk'));
    const leaves: Uint8Array[] = [(store.entry('kiosk', 0) as { hash: Uint8Array }).hash];
    for (let i = 1; i < MAX; i++) leaves.push((await writer.append('checkin', { subject: `p-${i}` })).hash);
    const memory = new MemoryTree(leaves);
    const db = store.treeSource('kiosk');
    for (let size = 1; size <= MAX; size++) {
      expect(toHex(rootHash(db, size))).toBe(toHex(rootHash(memory, size)));
      for (let index = 0; index < size; index += 7)
        expect(inclusionProof(db, index, size)).toEqual(inclusionProof(memory, index, size));
      for (let from = 1; from <= size; from += 5)
        expect(consistencyProof(db, from, size)).toEqual(consistencyProof(memory, from, size));
    }
    store.close();
  });

  it('refuses impossible proof requests with a clear error', () => {
    const tree = new MemoryTree(hashes(4));
    expect(() => inclusionProof(tree, 4, 4)).toThrow(/not in a tree of size 4/);
    expect(() => consistencyProof(tree, 5, 4)).toThrow(/no consistency proof/);
    expect(verifyInclusion(-1, 4, new Uint8Array(32), [], new Uint8Array(32))).toBe(false);
    expect(verifyConsistency(3, 2, new Uint8Array(32), new Uint8Array(32), [])).toBe(false);
  });

  it('hashes exactly the bytes given, whatever their length and whatever was hashed before', () => {
    // leafHash and nodeHash reuse one buffer per thread: a short input must never pick up an earlier one's bytes.
    const reference = (prefix: number, ...parts: Uint8Array[]) =>
      toHex(createHash('sha256').update(Uint8Array.of(prefix)).update(Buffer.concat(parts)).digest());
    const long = new Uint8Array(300).fill(0xaa);
    const short = new Uint8Array(3).fill(0xbb);
    const huge = new Uint8Array(20_000).fill(0xcc);
    for (const leaf of [long, short, huge, new Uint8Array(0)])
      expect(toHex(leafHash(leaf))).toBe(reference(0x00, leaf));
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(toHex(nodeHash(a, b))).toBe(reference(0x01, a, b));
    expect(toHex(nodeHash(a.subarray(0, 31), b))).toBe(reference(0x01, a.subarray(0, 31), b));
    expect(toHex(nodeHash(b, long))).toBe(reference(0x01, b, long));
  });
});
