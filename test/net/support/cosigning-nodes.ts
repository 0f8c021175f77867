// HQ and the police's own node as the other-witness tests start them (issue 20): HQ (node id hq) pinning other
// witnesses' keys, and the police agency node witnessing with its own key, each on a SQLite store the caller opened
// (a test that restarts HQ starts it again on the same store).
import { Signer, type Verifier } from '../../../ledger/keys.ts';
import { HqService } from '../../../net/hq/hq-service.ts';
import type { SqliteHqStore } from '../../../net/hq/sqlite-hq-store.ts';
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
