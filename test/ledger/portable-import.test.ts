// A portable log file is read by schemas (ledger/portable.ts): a damaged header or line is refused as bad-export
// naming the line and the field, before anything of a damaged header's log is stored; a good file imports whole.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerStore } from '../../ledger/store.ts';
import { exportLog, importLog } from '../../ledger/portable.ts';
import { appendCheckins, newLog, tempDir } from './fixtures.ts';

const ORIGIN = 'center-01/kiosk-1';

async function exported(): Promise<{ file: string; lines: Record<string, unknown>[] }> {
  const log = newLog(ORIGIN);
  await appendCheckins(log.writer, 3);
  log.writer.checkpoint();
  const file = join(log.dir, 'log.jsonl');
  await exportLog(log.store, ORIGIN, file);
  log.store.close();
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { file, lines };
}

function freshStore(): LedgerStore {
  return LedgerStore.open(join(tempDir(), 'replica.db'), { create: true });
}

describe('importing a portable log file', () => {
  it('imports a good file whole', async () => {
    const { file, lines } = await exported();
    const store = freshStore();
    const entries = lines.filter((line) => 'entry' in line).length;
    await expect(importLog(store, file)).resolves.toMatchObject({ origin: ORIGIN, inserted: entries, size: entries });
    store.close();
  });

  it.each<[string, (lines: Record<string, unknown>[]) => void, RegExp]>([
    [
      'another format',
      (l) => (l[0] = { ...l[0], format: 'muster-log/v0' }),
      /^line 1\.format: expected "muster-log\/v1"/,
    ],
    ['a header without its key', (l) => delete l[0]?.key, /^line 1\.key: expected text/],
    ['a negative size', (l) => (l[0] = { ...l[0], size: -1 }), /^line 1\.size: expected an integer/],
    [
      'an origin that is no origin',
      (l) => (l[0] = { ...l[0], origin: 'a b' }),
      /^line 1\.origin: expected a log origin/,
    ],
    ['a field the header does not know', (l) => (l[0] = { ...l[0], signer: 'x' }), /^line 1\.signer: unknown field/],
  ])('refuses %s in the header, storing nothing', async (_name, damage, message) => {
    const { file, lines } = await exported();
    damage(lines);
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const store = freshStore();
    await expect(importLog(store, file)).rejects.toMatchObject({
      code: 'bad-export',
      message: expect.stringMatching(message) as unknown,
    });
    expect(store.log(ORIGIN)).toBeUndefined();
    store.close();
  });

  it.each<[string, unknown, RegExp]>([
    ['an entry that is not base64', { seq: 1, entry: 'not base64!' }, /^line 3\.entry: expected standard base64/],
    ['neither an entry nor a checkpoint', { seq: 1 }, /^line 3: expected an entry or a checkpoint/],
    ['a checkpoint that is not text', { checkpoint: 7 }, /^line 3\.checkpoint: expected text/],
    ['a field a line does not know', { seq: 1, entry: 'AAAA', extra: true }, /^line 3\.extra: unknown field/],
    ['a list instead of a line', [1, 2], /^line 3: expected an object/],
  ])('refuses %s', async (_name, line, message) => {
    const { file, lines } = await exported();
    const written: unknown[] = [...lines];
    written[2] = line;
    writeFileSync(file, `${written.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const store = freshStore();
    await expect(importLog(store, file)).rejects.toMatchObject({
      code: 'bad-export',
      message: expect.stringMatching(message) as unknown,
    });
    store.close();
  });

  it('names the line of a file that is not JSON', async () => {
    const { file } = await exported();
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"checkpoint":\n`);
    const store = freshStore();
    await expect(importLog(store, file)).rejects.toMatchObject({
      code: 'bad-export',
      message: expect.stringMatching(/^line \d+: not JSON/) as unknown,
    });
    store.close();
  });
});
