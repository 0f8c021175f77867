// HQ shows other witnesses' cosignatures beside its own (issue 20): the police's own node (an agency HqService with
// its own store and witness key) cosigns a kiosk's log, and HQ, which pins the police witness key, lists it on the
// dashboard's log table as matching its own copy. A cosignature by that key of a checkpoint HQ's copy does not
// have is shown as not matching; one by a witness HQ does not know is ignored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { cosign } from '../../net/cosignature.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topicId, topics } from '../../net/topics.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';

const KIOSK = 'c1/k1';
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };

describe("other witnesses' cosignatures at HQ", () => {
  let broker: BrokerFixture;
  const dir = mkdtempSync(join(tmpdir(), 'muster-cosigners-'));
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    broker = await startBroker('mosquitto', ['hq', 'police', 'stranger', KIOSK]);
  }, 60_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the police node's cosignature, flags one of another tree, ignores an unknown witness", async () => {
    const police = Signer.generate('police');
    const stranger = Signer.generate('stranger');
    const hqStore = SqliteHqStore.open(join(dir, 'hq.db'));
    const hq = await HqService.start({
      store: hqStore,
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
      cosigners: [police.verifier],
    });
    const policeStore = SqliteHqStore.open(join(dir, 'police.db'));
    const agency = await HqService.start({
      store: policeStore,
      broker: broker.link('police'),
      nodeId: 'police',
      witnessSigner: police,
      checkEveryMs: 3_600_000,
      agency: true,
    });
    const logKey = Signer.generate(KIOSK);
    const kiosk = await KioskNode.start({
      storePath: join(dir, 'k1.db'),
      signer: logKey,
      witnessSigner: Signer.generate(KIOSK),
      broker: broker.link(KIOSK),
      peers: [],
    });
    closers.push(async () => {
      await kiosk.close(true);
      await agency.close();
      await hq.close();
      await policeStore.close();
      await hqStore.close();
    });
    for (let i = 0; i < 5; i++) await kiosk.append('checkin', { subject: `p-${i}` });
    const size = await kiosk.store.size(KIOSK);
    const fleet = new HqBackend({ hq }).handlers['hq.fleet'];
    if (!fleet) throw new Error('no hq.fleet');
    const cosigners = async (): Promise<readonly { witness: string; size: number; matchesHq: boolean }[]> =>
      (await fleet({}, officer)).logs.find((l) => l.origin === KIOSK)?.cosigners ?? [];
    await waitFor(
      async () => (await cosigners()).some((c) => c.witness === 'police' && c.size === size && c.matchesHq),
      "the police node's cosignature at HQ",
      30_000,
    );

    // A checkpoint of another tree, signed with the log's key and cosigned with the police key (as if the police
    // node had been shown a split view): listed, not matching. A stranger's cosignature: not listed at all.
    const other = cosign(
      signCheckpoint({ origin: KIOSK, size: size + 1, root: new Uint8Array(32).fill(7), extensions: [] }, logKey),
      police,
      Math.floor(Date.now() / 1000),
    );
    const forged = cosign(
      signCheckpoint({ origin: KIOSK, size, root: new Uint8Array(32).fill(9), extensions: [] }, logKey),
      stranger,
      Math.floor(Date.now() / 1000),
    );
    for (const [user, note] of [
      ['police', other],
      ['stranger', forged],
    ] as const) {
      const { password } = broker.link(user);
      const client = await mqtt.connectAsync(broker.link(user).url, {
        username: topicId(user),
        password: password ?? '',
        clientId: `${user}-test`,
        protocolVersion: 4,
      });
      await client.publishAsync(topics.cosign(KIOSK, user), note, { qos: 1, retain: true });
      await client.endAsync();
    }
    await waitFor(
      async () => (await cosigners()).some((c) => c.witness === 'police' && c.size === size + 1 && !c.matchesHq),
      "the other tree's cosignature, flagged",
      30_000,
    );
    expect((await cosigners()).map((c) => c.witness)).toEqual(['police']);
  }, 120_000);
});
