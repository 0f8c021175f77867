import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { Signer, Verifier, keyId } from '../../ledger/keys.ts';
import {
  formatCheckpoint,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseNote,
  signCheckpoint,
  signNote,
} from '../../ledger/note.ts';
import { PETER_SIGNER_KEY, PETER_VERIFIER_KEY } from './fixtures.ts';

// The signed-note example of golang.org/x/mod/sumdb/note (and C2SP signed-note): Ed25519 is deterministic,
// so signing the same text with the same key must reproduce the published note byte for byte.
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP keys and signed notes', () => {
  it('parses the published signer and verifier keys and derives the same key id', () => {
    const signer = Signer.parse(PETER_SIGNER_KEY);
    expect(signer.verifier.encode()).toBe(PETER_VERIFIER_KEY);
    expect(toHex(signer.id)).toBe('c74f20a3');
    expect(signer.encodeSecret()).toBe(PETER_SIGNER_KEY);
    expect(toHex(keyId('PeterNeumann', Verifier.parse(PETER_VERIFIER_KEY).publicKey))).toBe('c74f20a3');
  });

  it('accepts key data whose base64 contains "+" (transparency-dev vector)', () => {
    expect(Verifier.parse('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').name).toBe('TEST');
  });

  it('reproduces the published signed note exactly, and opens it', () => {
    expect(signNote(TEXT, [Signer.parse(PETER_SIGNER_KEY)])).toBe(NOTE);
    expect(openNote(NOTE, [Verifier.parse(PETER_VERIFIER_KEY)]).text).toBe(TEXT);
  });

  it('refuses an altered text, an unknown key and a forged signature', () => {
    const peter = Verifier.parse(PETER_VERIFIER_KEY);
    expect(() => openNote(NOTE.replace('cryptography', 'cryptographY'), [peter])).toThrow(/does not verify/);
    expect(() => openNote(NOTE, [Signer.generate('Other').verifier])).toThrow(/not signed by any trusted key/);
    const impostor = Signer.generate('PeterNeumann');
    expect(() => openNote(signNote(TEXT, [impostor]), [peter])).toThrow(/not signed by any trusted key/);
  });

  it('ignores signatures by unknown keys when a trusted one is present', () => {
    const both = signNote(TEXT, [Signer.generate('Witness'), Signer.parse(PETER_SIGNER_KEY)]);
    expect(openNote(both, [Verifier.parse(PETER_VERIFIER_KEY)]).verifiedBy.map((v) => v.name)).toEqual([
      'PeterNeumann',
    ]);
  });

  it.each([
    ['no blank line', 'text\n\u2014 a AAAA\n'],
    ['no signatures', 'text\n\n'],
    ['signature line without dash', 'text\n\n- a AAAAAAAA\n'],
    ['signature not base64', 'text\n\n\u2014 a !!!!\n'],
    ['signature too short', 'text\n\n\u2014 a AAAA\n'],
    ['control characters', 'te\u0007xt\n\n\u2014 a AAAAAAAA\n'],
    ['trailing garbage', `${NOTE}junk`],
  ])('rejects a malformed note: %s', (_name, note) => {
    expect(() => parseNote(note)).toThrow();
  });

  it('refuses to sign text that would not round-trip', () => {
    const signer = Signer.generate('a');
    expect(() => signNote('no final newline', [signer])).toThrow(/newline/);
    expect(() => signNote('blank\n\nline\n', [signer])).toThrow(/blank/);
  });

  it('formats, signs and opens checkpoints, and checks the origin', () => {
    const signer = Signer.generate('center-01/kiosk-1');
    const checkpoint = { origin: 'center-01/kiosk-1', size: 42, root: new Uint8Array(32).fill(7), extensions: [] };
    expect(formatCheckpoint(checkpoint)).toBe('center-01/kiosk-1\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n');
    const note = signCheckpoint(checkpoint, signer);
    expect(openCheckpoint(note, 'center-01/kiosk-1', [signer.verifier])).toEqual(checkpoint);
    expect(() => openCheckpoint(note, 'center-01/kiosk-2', [signer.verifier])).toThrow(/origin/);
  });

  it.each([
    ['size not decimal', 'o\n0x10\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n'],
    ['size with leading zero', 'o\n010\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n'],
    ['negative size', 'o\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n'],
    ['short root', 'o\n1\nBwcH\n'],
    ['missing root', 'o\n1\n'],
  ])('rejects a malformed checkpoint: %s', (_name, text) => {
    expect(() => parseCheckpoint(text)).toThrow();
  });
});
