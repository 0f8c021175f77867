// A kiosk's replication node: its own log (LogWriter), the replicas of its peers, a witness over them, and
// the replicator, all on one SQLite log store. `append` resolves once the entry is durable; publishing
// follows in the next tick and never holds the entry in memory only.
import type { EntryType, Payload } from '../core/entry.ts';
import type { Signer } from '../ledger/keys.ts';
import { type Appended, LogWriter } from '../ledger/log-writer.ts';
import { LedgerStore } from '../ledger/store.ts';
import { type LinkOptions, MqttLink } from './mqtt-link.ts';
import { type ReplicationEvent, Replicator } from './replicator.ts';
import { SqliteReplicaStore } from './sqlite-replica-store.ts';
import { Witness } from './witness.ts';

export interface KioskNodeOptions {
  readonly storePath: string;
  /** Signs the kiosk's log; its name is the origin. */
  readonly signer: Signer;
  /** Signs cosignatures; a different key from the log's, named like the origin. */
  readonly witnessSigner: Signer;
  readonly broker: Omit<LinkOptions, 'nodeId'>;
  /** Peer kiosks of the center, by origin. */
  readonly peers: readonly string[];
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  readonly clock?: () => number;
  readonly retryMs?: number;
  readonly onEvent?: (event: ReplicationEvent) => void;
}

export class KioskNode {
  private constructor(
    readonly writer: LogWriter,
    readonly store: SqliteReplicaStore,
    readonly link: MqttLink,
    readonly replicator: Replicator,
  ) {}

  static async start(options: KioskNodeOptions): Promise<KioskNode> {
    const origin = options.signer.name;
    if (options.witnessSigner.name !== origin) throw new TypeError(`witnessSigner: expected a key named ${JSON.stringify(origin)}`);
    const ledger = LedgerStore.open(options.storePath, { create: true });
    const clock = options.clock ?? Date.now;
    const writer = ledger.ownOrigin() === undefined ? LogWriter.init(ledger, origin, options.signer, clock) : LogWriter.open(ledger, options.signer, clock);
    const store = new SqliteReplicaStore(ledger, { clock, ...(options.trustedKeys ? { trustedKeys: options.trustedKeys } : {}) });
    const link = new MqttLink({ ...options.broker, nodeId: origin });
    const replicator = new Replicator({
      link,
      store,
      own: writer,
      follow: options.peers,
      witness: new Witness(store, options.witnessSigner, clock),
      clock,
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    await replicator.start();
    return new KioskNode(writer, store, link, replicator);
  }

  get origin(): string {
    return this.writer.origin;
  }

  async append(type: EntryType, payload: Payload): Promise<Appended> {
    const appended = await this.writer.append(type, payload);
    this.replicator.appended();
    return appended;
  }

  /** `force` drops the connection without a clean goodbye, as a crash would. */
  async close(force = false): Promise<void> {
    await this.replicator.close();
    await this.link.close(force);
    await this.store.close();
  }
}
