// HQ and the police's own node as the other-witness tests start them (issue 20): HQ (node id hq) pinning other
// witnesses' keys, and the police agency node witnessing with its own key, each on a SQLite store the caller opened
// (a test that restarts HQ starts it again on the same store); or the two with a kiosk whose log they take, all on
// stores of their own (startPoliceCosigning).
import { join } from 'node:path';
import { Signer, type Verifier } from '../../../ledger/keys.ts';
import { HqService } from '../../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../../net/kiosk-node.ts';
import type { BrokerFixture } from './brokers.ts';

/** HQ on `store`, listing the cosignatures of the witnesses whose keys it pins (`cosigners`); no breach checks. */
export function startHqPinning(
  store: SqliteHqStore,
  broker: BrokerFixture,
  cosigners: readonly Verifier[],
): Promise<HqService> {
  return HqService.start({
    store,
    broker: broker.link('hq'),
    witnessSigner: Signer.generate('hq'),
    checkEveryMs: 3_600_000,
    cosigners,
  });
}

/** The police's agency node on its own `store`, cosigning every log it follows with `police`. */
export function startPoliceNode(store: SqliteHqStore, broker: BrokerFixture, police: Signer): Promise<HqService> {
  return HqService.start({
    store,
    broker: broker.link('police'),
    nodeId: 'police',
    witnessSigner: police,
    checkEveryMs: 3_600_000,
    agency: true,
  });
}

/** Kiosk `origin` on `broker`, its store at `storePath`: new log and witness keys and no peers, unless given. */
export function startKiosk(
  broker: BrokerFixture,
  origin: string,
  storePath: string,
  options: { readonly signer?: Signer; readonly witnessSigner?: Signer; readonly peers?: readonly string[] } = {},
): Promise<KioskNode> {
  return KioskNode.start({
    storePath,
    signer: options.signer ?? Signer.generate(origin),
    witnessSigner: options.witnessSigner ?? Signer.generate(origin),
    broker: broker.link(origin),
    peers: options.peers ?? [],
  });
}

export interface PoliceCosigning {
  /** The police node's witness key, which HQ pins. */
  readonly police: Signer;
  /** The kiosk's log key. */
  readonly logKey: Signer;
  readonly hq: HqService;
  readonly kiosk: KioskNode;
  /** Stops the kiosk and both nodes and closes their stores. */
  close(): Promise<void>;
}

/**
 * HQ pinning the police witness key, the police node and kiosk `origin`, on `broker`, each on a store of its own in
 * `dir` (hq.db, police.db, k1.db): the police node cosigns the kiosk's log and HQ lists that cosignature.
 */
export async function startPoliceCosigning(
  dir: string,
  broker: BrokerFixture,
  origin: string,
): Promise<PoliceCosigning> {
  const police = Signer.generate('police');
  const hqStore = SqliteHqStore.open(join(dir, 'hq.db'));
  const policeStore = SqliteHqStore.open(join(dir, 'police.db'));
  const hq = await startHqPinning(hqStore, broker, [police.verifier]);
  const agency = await startPoliceNode(policeStore, broker, police);
  const logKey = Signer.generate(origin);
  const kiosk = await startKiosk(broker, origin, join(dir, 'k1.db'), { signer: logKey });
  return {
    police,
    logKey,
    hq,
    kiosk,
    close: async () => {
      await kiosk.close(true);
      await agency.close();
      await hq.close();
      await policeStore.close();
      await hqStore.close();
    },
  };
}
