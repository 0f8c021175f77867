// HQ shows other witnesses' cosignatures beside its own (issue 20): the police's own node (an agency HqService with
// its own store and witness key) cosigns a kiosk's log, and HQ, which pins the police witness key, lists it on the
// dashboard's log table as matching its own copy. A cosignature by that key of another tree of the log is shown as
// not matching; one by a witness HQ does not know is ignored. A cosignature of more than HQ holds (the police node
// ahead of HQ: HQ started late, or was down while the log grew) is judged once HQ holds that size, never listed as
// disagreeing meanwhile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { cosign } from '../../net/cosignature.ts';
import type { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topicId, topics } from '../../net/topics.ts';
import { claimedSize } from '../../ledger/note.ts';
import type { Cosignature } from '../../net/hq/other-witnesses.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { startHqPinning, startKiosk, startPoliceCosigning, startPoliceNode } from './support/cosigning-nodes.ts';

const KIOSK = 'c1/k1';
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };

/** Resolves once HQ lists a cosignature of KIOSK that `match`es: at once, or at the `cosignature` event that lists it. */
function listed(hq: HqService, match: (c: Cosignature) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      hq.events.off('cosignature', check);
      reject(new Error(`timed out waiting for HQ to list ${what}: ${JSON.stringify(hq.cosignatures(KIOSK))}`));
    }, 60_000);
    function check(): void {
      if (!hq.cosignatures(KIOSK).some(match)) return;
      clearTimeout(timer);
      hq.events.off('cosignature', check);
      resolve();
    }
    hq.events.on('cosignature', check);
    check();
  });
}

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
    const stranger = Signer.generate('stranger');
    const nodes = await startPoliceCosigning(dir, broker, KIOSK);
    closers.push(() => nodes.close());
    const { police, logKey, hq, kiosk } = nodes;
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
      signCheckpoint({ origin: KIOSK, size, root: new Uint8Array(32).fill(7), extensions: [] }, logKey),
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
      async () => (await cosigners()).some((c) => c.witness === 'police' && c.size === size && !c.matchesHq),
      "the other tree's cosignature, flagged",
      30_000,
    );
    expect((await cosigners()).map((c) => c.witness)).toEqual(['police']);
  }, 120_000);

  it('judges a cosignature of more than HQ holds once HQ holds it, never listing it as disagreeing', async () => {
    // A broker of its own: the first test's nodes (the same client ids) and retained notes stay on the other.
    const broker = await startBroker('mosquitto', ['hq', 'police', 'stranger', KIOSK]);
    const police = Signer.generate('police');
    const policeStore = SqliteHqStore.open(join(dir, 'police-2.db'));
    const agency = await startPoliceNode(policeStore, broker, police);
    const kiosk = await startKiosk(broker, KIOSK, join(dir, 'k1-2.db'));
    // The police node's cosignatures as the broker carries them (retained: HQ gets the latest when it subscribes).
    const watcher = await mqtt.connectAsync(broker.link('stranger').url, {
      username: topicId('stranger'),
      password: broker.link('stranger').password ?? '',
      clientId: 'stranger-watch',
      protocolVersion: 4,
    });
    const cosigned: number[] = [];
    const cosignedListeners = new Set<() => void>();
    watcher.on('message', (_topic, payload) => {
      cosigned.push(claimedSize(payload.toString('utf8')));
      for (const listener of cosignedListeners) listener();
    });
    await watcher.subscribeAsync(topics.cosign(KIOSK, 'police'), { qos: 1 });
    const policeCosigned = (size: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`timed out waiting for the police node to cosign size ${size}: ${cosigned.join(', ')}`));
        }, 60_000);
        const check = (): void => {
          if (!cosigned.includes(size)) return;
          clearTimeout(timer);
          cosignedListeners.delete(check);
          resolve();
        };
        cosignedListeners.add(check);
        check();
      });
    const hqStore = SqliteHqStore.open(join(dir, 'hq-2.db'));
    let hq: HqService | undefined;
    const shown: Cosignature[] = [];
    const startHq = async (): Promise<HqService> => {
      hq = await startHqPinning(hqStore, broker, [police.verifier]);
      hq.events.on('cosignature', ({ cosignature }) => shown.push(cosignature));
      return hq;
    };
    closers.push(async () => {
      await watcher.endAsync();
      await kiosk.close(true);
      await agency.close();
      await hq?.close();
      await policeStore.close();
      await hqStore.close();
      await broker.stop();
    });

    // HQ starts after the police node cosigned: the retained cosignature reaches HQ before the log does.
    for (let i = 0; i < 5; i++) await kiosk.append('checkin', { subject: `p-${i}` });
    const size = await kiosk.store.size(KIOSK);
    await policeCosigned(size);
    const first = await startHq();
    await listed(first, (c) => c.witness === 'police' && c.size === size && c.matchesHq, 'its cosignature');

    // HQ down while the log grows by 3 and the police node cosigns it; back, it holds fewer entries than that
    // cosignature covers when it comes: judged when HQ's copy has them.
    await first.close();
    for (let i = 5; i < 8; i++) await kiosk.append('checkin', { subject: `p-${i}` });
    await policeCosigned(size + 3);
    const again = await startHq();
    await listed(
      again,
      (c) => c.witness === 'police' && c.size === size + 3 && c.matchesHq,
      'its cosignature of the grown log',
    );
    expect(shown.filter((c) => !c.matchesHq)).toEqual([]);
    expect(again.cosignatures(KIOSK)).toEqual([
      expect.objectContaining({ witness: 'police', size: size + 3, matchesHq: true }),
    ]);
  }, 180_000);

  it("lists a peer kiosk's cosignature of the log it witnesses, as it lists the police node's", async () => {
    const PEER = 'c1/k2';
    const broker = await startBroker('mosquitto', ['hq', KIOSK, PEER]);
    const peerWitness = Signer.generate(PEER);
    const hqStore = SqliteHqStore.open(join(dir, 'hq-3.db'));
    const hq = await startHqPinning(hqStore, broker, [peerWitness.verifier]);
    const kiosk = await startKiosk(broker, KIOSK, join(dir, 'k1-3.db'));
    const peer = await startKiosk(broker, PEER, join(dir, 'k2-3.db'), { witnessSigner: peerWitness, peers: [KIOSK] });
    closers.push(async () => {
      await peer.close(true);
      await kiosk.close(true);
      await hq.close();
      await hqStore.close();
      await broker.stop();
    });
    for (let i = 0; i < 3; i++) await kiosk.append('checkin', { subject: `p-${i}` });
    const size = await kiosk.store.size(KIOSK);
    await listed(hq, (c) => c.witness === PEER && c.size === size && c.matchesHq, "the peer kiosk's cosignature");
  }, 180_000);
});
