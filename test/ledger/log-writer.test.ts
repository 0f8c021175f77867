import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { fsck } from '../../ledger/fsck.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { openCheckpoint } from '../../ledger/note.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { appendCheckins, newLog } from './fixtures.ts';

describe('the own log', () => {
  it('starts with a genesis entry naming its key, then numbers entries from 1', async () => {
    const { store, writer, signer } = newLog();
    const genesisRow = store.entry(writer.origin, 0) as { leaf: Uint8Array; hash: Uint8Array };
    const genesis = decodeLeaf(genesisRow.leaf).body;
    expect(genesis.type).toBe('genesis');
    expect(toHex(genesis.payload.key as Uint8Array)).toBe(toHex(signer.verifier.publicKey));
    const first = await writer.append('checkin', { subject: 'p-1' });
    expect(first.seq).toBe(1);
    const body = decodeLeaf(first.leaf).body;
    expect(toHex(body.prev)).toBe(toHex(genesisRow.hash));
    store.close();
  });

  it('has committed an entry by the time its append resolves (a second connection sees it)', async () => {
    const { path, store, writer } = newLog();
    const appended = await writer.append('checkin', { subject: 'p-7' });
    const other = LedgerStore.open(path, { readonly: true });
    expect(toHex((other.entry(writer.origin, appended.seq) as { hash: Uint8Array }).hash)).toBe(toHex(appended.hash));
    other.close();
    store.close();
  });

  it('commits appends made in the same tick together, each with its own sequence number, in order', async () => {
    const { store, writer } = newLog();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => writer.append('checkin', { subject: `p-${i}` })),
    );
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    results.forEach((r, i) => {
      expect(decodeLeaf(r.leaf).body.payload.subject).toBe(`p-${i}`);
    });
    expect(store.head(writer.origin).size).toBe(51);
    store.close();
  });

  it('refuses bad entries at once and commits the good ones around them', async () => {
    const { store, writer } = newLog();
    const good = writer.append('checkin', { subject: 'p-1' });
    const bad = writer.append('checkin', { subject: 'p-2', name: 'Li Na' });
    const forgedGenesis = writer.append('genesis', { key: new Uint8Array(32) });
    const unknown = writer.append('party' as never, {});
    await expect(bad).rejects.toThrow(/personal data/);
    await expect(forgedGenesis).rejects.toThrow(/written by the ledger/);
    await expect(unknown).rejects.toThrow(/unknown entry type/);
    expect((await good).seq).toBe(1);
    expect(store.head(writer.origin).size).toBe(2);
    store.close();
  });

  it('signs checkpoints over the current tree, stores them, and reuses one for an unchanged log', async () => {
    const { store, writer, signer } = newLog();
    await appendCheckins(writer, 9);
    const first = writer.checkpoint();
    expect(first.size).toBe(10);
    expect(writer.checkpoint()).toEqual(first);
    const opened = openCheckpoint(first.note, writer.origin, [signer.verifier]);
    expect(toHex(opened.root)).toBe(toHex(first.root));
    expect(store.checkpoints(writer.origin).map((c) => c.size)).toEqual([10]);
    store.close();
  });

  it('retries when another writer of the same log commits first, and never forks it', async () => {
    const { path, store, writer, signer } = newLog();
    const second = LedgerStore.open(path);
    const rival = LogWriter.open(second, signer);
    await Promise.all([
      writer.append('checkin', { subject: 'a' }),
      rival.append('checkin', { subject: 'b' }),
      writer.append('checkin', { subject: 'c' }),
    ]);
    await appendCheckins(rival, 3);
    await appendCheckins(writer, 3);
    second.close();
    store.close();
    const result = await fsck(path, { workers: 0 });
    expect(result).toMatchObject({ ok: true, size: 10 });
  });

  it('rotates its key: the rotation is signed by the old key, later entries by the new one', async () => {
    const { path, store, writer, signer } = newLog();
    await appendCheckins(writer, 2);
    const next = Signer.generate(writer.origin);
    const rotation = writer.rotateKey(next);
    const after = await writer.append('checkin', { subject: 'p-9' });
    expect(toHex(decodeLeaf(rotation.leaf).body.kid)).toBe(toHex(signer.id));
    expect(toHex(decodeLeaf(after.leaf).body.kid)).toBe(toHex(next.id));
    expect(openCheckpoint(writer.checkpoint().note, writer.origin, [next.verifier]).size).toBe(5);
    expect(() => LogWriter.open(store, signer)).toThrow(/not the key in force/);
    expect(LogWriter.open(store, next).origin).toBe(writer.origin);
    store.close();
    expect(await fsck(path, { trustedKeys: [signer.verifier], workers: 0 })).toMatchObject({ ok: true, size: 5 });
  });

  it('refuses to initialise twice or with a key named for another log', () => {
    const { store, writer } = newLog();
    expect(() => LogWriter.init(store, writer.origin, Signer.generate(writer.origin))).toThrow(/already holds/);
    store.close();
    const other = newLog('kiosk-a');
    expect(() => LogWriter.init(other.store, 'kiosk-b', Signer.generate('kiosk-c'))).toThrow(/named/);
    other.store.close();
  });
});
