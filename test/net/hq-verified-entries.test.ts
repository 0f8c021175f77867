// HQ's API serves a log's entries only from the verified read path: a row an administrator edited at rest in HQ's
// store (its hash column kept in step) is never served, by /entries or /access-records; the page is refused with
// a server fault naming the entry, while a page that ends before it is still served.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash } from '../../ledger/hash.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type HqHttp, startHqHttp } from '../../net/hq/hq-http.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { checkinPayload } from '../checkin/support/log-builder.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';

const KIOSK = 'centre-a/k1';
const TAMPERED = 2;

describe("HQ's API on a log edited at rest", () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-hq-verified-'));
  const file = join(dir, 'hq.db');
  let broker: BrokerFixture;
  let hq: HqService;
  let http: HqHttp;

  beforeAll(async () => {
    broker = await startBroker('aedes', ['hq']);
    hq = await HqService.start({
      store: SqliteHqStore.open(file),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
    });
    http = await startHqHttp(hq, 0);
  }, 60_000);
  afterAll(async () => {
    await http.close();
    await hq.close();
    await hq.store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${http.url}/api/logs/${encodeURIComponent(KIOSK)}/${path}`);
    return { status: response.status, text: await response.text() };
  };

  it('serves no entry from the edited one on, and names it', async () => {
    const kiosk = LedgerStore.open(join(dir, 'kiosk.db'), { create: true });
    let now = Date.parse('2026-03-02T14:00:00Z');
    const writer = LogWriter.init(kiosk, KIOSK, Signer.generate(KIOSK), () => now);
    for (const subject of ['s-1', 's-2', 's-3']) {
      now += 60_000;
      await writer.append('checkin', checkinPayload(subject));
    }
    const leaves = kiosk.rangeAll(KIOSK, 0, 4).map((r) => r.leaf);
    kiosk.close();
    expect(await hq.store.ingest(KIOSK, leaves, 'test')).toMatchObject({ inserted: 4, rejected: [] });

    const before = await get('entries?from=0&limit=10');
    expect(before.status).toBe(200);
    const served = JSON.parse(before.text) as { entries: { seq: number; payload: { subject: string } }[] };
    expect(served.entries.map((e) => e.payload.subject)).toEqual([undefined, 's-1', 's-2', 's-3']);

    // s-2's check-in made s-9's, the hash column recomputed: only the signature shows it.
    const db = new Database(file);
    const row = db
      .prepare<[string, number], { leaf: Buffer }>('SELECT leaf FROM entries WHERE origin = ? AND seq = ?')
      .get(KIOSK, TAMPERED);
    const leaf = Buffer.from(row?.leaf ?? Buffer.alloc(0));
    const at = leaf.indexOf('s-2');
    expect(at).toBeGreaterThan(0);
    leaf.write('s-9', at);
    db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = ?').run(
      leaf,
      leafHash(leaf),
      KIOSK,
      TAMPERED,
    );
    db.close();

    for (const path of ['entries?from=0&limit=10', 'entries?from=2&limit=1', 'access-records?from=0&limit=10']) {
      const refused = await get(path);
      expect(refused.status, path).toBe(500);
      const { error } = JSON.parse(refused.text) as { error: { code: string; message: string } };
      expect(error.code).toBe('store-corrupt');
      expect(error.message).toContain(`${KIOSK}#${TAMPERED}`);
      expect(refused.text).not.toContain('s-9');
    }
    // A page that ends before the edited entry is verified and served.
    const prefix = await get('entries?from=0&limit=2');
    expect(prefix.status).toBe(200);
    expect((JSON.parse(prefix.text) as { entries: { seq: number }[] }).entries.map((e) => e.seq)).toEqual([0, 1]);
  });
});
