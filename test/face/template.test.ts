import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MusterError } from '../../core/errors.ts';
import { readKeyFile, readOrCreateKeyFile } from '../../face/key-file.ts';
import {
  type SealedTemplate,
  createTemplate,
  openTemplate,
  parseSealedTemplate,
  sealTemplate,
  templateCommitment,
} from '../../face/template.ts';

function descriptor(seed: number): Float32Array {
  return Float32Array.from({ length: 128 }, (_, i) => Math.sin(seed * 1000 + i) * 0.2);
}

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const template = createTemplate(
  'P-1001',
  [descriptor(1), descriptor(2), descriptor(3)],
  new Date('2026-01-02T03:04:05Z'),
);

function expectInvalid(fn: () => unknown): void {
  expect(fn).toThrow(expect.objectContaining({ code: 'template-invalid' }) as MusterError);
}

describe('encrypted face templates', () => {
  it('round-trips through JSON under the same key', () => {
    const sealed = parseSealedTemplate(JSON.stringify(sealTemplate(template, KEY)));
    const opened = openTemplate(sealed, KEY);
    expect(opened.subjectId).toBe('P-1001');
    expect(opened.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(opened.descriptors).toEqual(template.descriptors);
    expect(templateCommitment(opened)).toBe(sealed.commitment);
  });

  it('keeps the descriptors out of the file and the commitment', () => {
    const text = JSON.stringify(sealTemplate(template, KEY));
    const plainBytes = Buffer.from(template.descriptors[0]?.buffer ?? new ArrayBuffer(0))
      .toString('base64')
      .slice(0, 16);
    expect(text).not.toContain(plainBytes);
    expect(sealTemplate(template, KEY).commitment).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same face a different commitment at each enrolment (salted)', () => {
    const again = createTemplate('P-1001', template.descriptors);
    expect(templateCommitment(again)).not.toBe(templateCommitment(template));
  });

  it('refuses the wrong key', () => {
    expectInvalid(() => openTemplate(sealTemplate(template, KEY), OTHER_KEY));
  });

  it.each<[string, (s: SealedTemplate) => SealedTemplate]>([
    ['a flipped ciphertext byte', (s) => ({ ...s, ciphertext: flip(s.ciphertext) })],
    ['a flipped tag byte', (s) => ({ ...s, tag: flip(s.tag) })],
    ['another subject id', (s) => ({ ...s, subjectId: 'P-2002' })],
    ['another commitment', (s) => ({ ...s, commitment: '0'.repeat(64) })],
    ['another iv', (s) => ({ ...s, iv: flip(s.iv) })],
  ])('refuses a template with %s', (_name, tamper) => {
    expectInvalid(() => openTemplate(tamper(sealTemplate(template, KEY)), KEY));
  });

  it('refuses files that are not templates', () => {
    expectInvalid(() => parseSealedTemplate('not json'));
    expectInvalid(() => parseSealedTemplate('{"format":"muster-face-template/1"}'));
    expectInvalid(() => parseSealedTemplate(JSON.stringify({ ...sealTemplate(template, KEY), format: 'other/9' })));
    expect(() => parseSealedTemplate(JSON.stringify({ ...sealTemplate(template, KEY), iv: 'not base64!' }))).toThrow(
      /template file\.iv: expected standard base64/,
    );
    expect(() => parseSealedTemplate(JSON.stringify({ ...sealTemplate(template, KEY), commitment: 'AB' }))).toThrow(
      /template file\.commitment: /,
    );
    expect(() => parseSealedTemplate(JSON.stringify({ ...sealTemplate(template, KEY), extra: 1 }))).toThrow(
      /template file\.extra: unknown field/,
    );
    expectInvalid(() => parseSealedTemplate('[1]'));
  });

  it('needs at least three captures', () => {
    expect(() => createTemplate('P-1', [descriptor(1), descriptor(2)])).toThrow(
      expect.objectContaining({ code: 'enrolment-too-few-captures' }) as MusterError,
    );
  });

  it('takes only 32-byte keys', () => {
    expect(() => sealTemplate(template, new Uint8Array(16))).toThrow(TypeError);
  });
});

describe('CLI data-key file', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'muster-face-key-'));
    dirs.push(dir);
    return dir;
  }

  it('is created with mode 0600 and read back the same', async () => {
    const path = join(await tempDir(), 'face.key');
    const key = await readOrCreateKeyFile(path);
    expect(key.length).toBe(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readOrCreateKeyFile(path)).toEqual(key);
  });

  it('is refused when others can read it or it has the wrong length', async () => {
    const dir = await tempDir();
    const open = join(dir, 'open.key');
    await writeFile(open, new Uint8Array(32));
    await chmod(open, 0o644);
    await expect(readKeyFile(open)).rejects.toMatchObject({ code: 'key-file-exposed' });
    const short = join(dir, 'short.key');
    await writeFile(short, new Uint8Array(31), { mode: 0o600 });
    await expect(readKeyFile(short)).rejects.toMatchObject({ code: 'key-file-invalid' });
  });
});

function flip(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
}
