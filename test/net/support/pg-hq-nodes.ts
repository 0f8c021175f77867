// HQ nodes sharing one PostgreSQL, as the two-HQ tests start them: the file's PostgreSQL and Mosquitto started before
// its tests; each node with its own store connection and witness key on a broker; kiosks on temp SQLite files; and
// everything closed after the file (or earlier, for a test whose nodes must be gone before the next one starts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Signer } from '../../../ledger/keys.ts';
import type { StoredAlert } from '../../../net/alerts.ts';
import { HqService } from '../../../net/hq/hq-service.ts';
import { PostgresHqStore } from '../../../net/hq/postgres-hq-store.ts';
import { type HeartbeatOptions, KioskNode } from '../../../net/kiosk-node.ts';
import { topicId } from '../../../net/topics.ts';
import { type PostgresServer, startPostgres } from '../../helpers/postgres.ts';
import { nextEvent } from '../../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './brokers.ts';

export interface PgHqWorld {
  readonly postgres: PostgresServer;
  /** Mosquitto, with a user for each node id the world was made with. */
  readonly broker: BrokerFixture;
  /** A temp dir for the kiosks' stores, removed after the file. */
  readonly dir: string;
  /** Runs `close` when the world closes its nodes, the last pushed first. */
  onClose(close: () => Promise<void>): void;
  /** Closes every node and kiosk started so far (a test whose events must not reach the next test's nodes). */
  closeNodes(): Promise<void>;
  /**
   * One HQ node per id, each on its own PostgresHqStore connection (on `on`, default the world's broker), on
   * `clock` (default real time).
   */
  hqNodes(
    nodeIds: readonly string[],
    options?: { readonly on?: BrokerFixture; readonly clock?: () => number },
  ): Promise<HqService[]>;
  /** A kiosk with no peers on the world's broker, its store named after its origin. */
  kiosk(origin: string, extra?: { clock?: () => number; heartbeat?: HeartbeatOptions }): Promise<KioskNode>;
}

/** Registers the file's hooks; `brokerIds`: every node id (kiosks and HQ nodes) the broker admits. */
export function pgHqWorld(prefix: string, brokerIds: readonly string[]): PgHqWorld {
  let started: { postgres: PostgresServer; broker: BrokerFixture } | undefined;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const closers: (() => Promise<void>)[] = [];
  const closeNodes = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  beforeAll(async () => {
    const postgres = await startPostgres();
    started = { postgres, broker: await startBroker('mosquitto', brokerIds) };
  }, 120_000);
  // Stopping two HQ nodes, their kiosks, Mosquitto and PostgreSQL on a CI machine running other suites took over
  // vitest's 30 s default once.
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await started?.broker.stop();
    await started?.postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
  const running = (): { postgres: PostgresServer; broker: BrokerFixture } => {
    if (!started) throw new Error('the PostgreSQL HQ world is used before its beforeAll ran');
    return started;
  };
  const world: PgHqWorld = {
    get postgres() {
      return running().postgres;
    },
    get broker() {
      return running().broker;
    },
    dir,
    onClose: (close) => {
      closers.push(close);
    },
    closeNodes,
    hqNodes: async (nodeIds, options = {}) => {
      const nodes: HqService[] = [];
      for (const nodeId of nodeIds) {
        const store = await PostgresHqStore.open(world.postgres.url);
        const hq = await HqService.start({
          store,
          broker: (options.on ?? world.broker).link(nodeId),
          nodeId,
          witnessSigner: Signer.generate(nodeId),
          checkEveryMs: 3_600_000,
          retryMs: 500,
          ...(options.clock ? { clock: options.clock } : {}),
        });
        closers.push(async () => {
          await hq.close();
          await store.close();
        });
        nodes.push(hq);
      }
      return nodes;
    },
    kiosk: async (origin, extra = {}) => {
      const node = await KioskNode.start({
        storePath: join(dir, `${topicId(origin)}.db`),
        signer: Signer.generate(origin),
        witnessSigner: Signer.generate(origin),
        broker: world.broker.link(origin),
        peers: [],
        retryMs: 500,
        ...(extra.clock ? { clock: extra.clock } : {}),
        ...(extra.heartbeat ? { heartbeat: extra.heartbeat } : {}),
      });
      closers.push(() => node.close(true));
      return node;
    },
  };
  return world;
}

/** Resolves on the first alert any of `nodes` raises that `match`es; rejects after a minute. */
export function nextAlert(
  nodes: readonly HqService[],
  match: (alert: StoredAlert) => boolean,
  what: string,
): Promise<StoredAlert> {
  return nextEvent<StoredAlert>(
    (listener) => {
      for (const node of nodes) node.events.on('alert', listener);
    },
    match,
    what,
    60_000,
  );
}
