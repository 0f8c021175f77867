// A kiosk's replication node: its own log (LogWriter), the replicas of its peers, a witness over them, and
// the replicator and the heartbeat, all on one SQLite log store. `append` resolves once the entry is durable; publishing
// follows in the next tick and never holds the entry in memory only. Each periodic heartbeat re-announces the
// latest checkpoint, so a follower that missed it on a quiet log learns what it lacks within a heartbeat period.
import type { EntryType, Payload } from '../core/entry.ts';
import type { Signer } from '../ledger/keys.ts';
import { type Appended, LogWriter } from '../ledger/log-writer.ts';
import { REGISTRY_ORIGIN } from '../ledger/key-schedule.ts';
import { LedgerStore } from '../ledger/store.ts';
import { centerOf } from './alerts.ts';
import { MusterError } from '../core/errors.ts';
import { type Heartbeat, decodeSignedHeartbeat, signHeartbeat } from './heartbeat.ts';
import { type LinkOptions, MqttLink } from './mqtt-link.ts';
import { type ReplicationEvent, Replicator } from './replicator.ts';
import { receiveCosigned } from './cosigned-notes.ts';
import { SqliteReplicaStore } from './sqlite-replica-store.ts';
import { topics } from './topics.ts';
import { Witness } from './witness.ts';
import { WitnessReports, reportFor } from './witness-reports.ts';

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
  /** HQ's registry genesis key (provisioning): the kiosk follows the registry log, so it refuses revoked peers' entries. */
  readonly registryKey?: Uint8Array;
  readonly clock?: () => number;
  readonly retryMs?: number;
  /** Every replication event (faults included); findings about peers' logs also go to HQ in the heartbeat. */
  readonly onEvent?: (event: ReplicationEvent) => void;
  readonly heartbeat?: HeartbeatOptions;
  /** Breach alerts HQ publishes for this kiosk's centre (muster/v1/alerts/<centre>): the staff screen's. */
  readonly onAlert?: (payload: Buffer) => void;
  /**
   * The peers' heartbeats (muster/v1/health/<peer>), each verified under the peer's log key in force first: the
   * staff screen's health of every kiosk of the centre. A forged or malformed one is a replication fault event.
   */
  readonly onPeerHeartbeat?: (heartbeat: Heartbeat) => void;
}

export interface HeartbeatOptions {
  /** Real-time period; 0 publishes only when asked (publishHeartbeat). */
  readonly everyMs: number;
  readonly version: string;
  readonly devices?: () => Heartbeat['devices'];
}

export class KioskNode {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly writer: LogWriter,
    readonly store: SqliteReplicaStore,
    readonly link: MqttLink,
    readonly replicator: Replicator,
    private readonly options: KioskNodeOptions,
    /** Findings about peers' logs, carried by every heartbeat until the kiosk restarts (net/witness-reports.ts). */
    readonly witnessed: WitnessReports,
  ) {}

  static async start(options: KioskNodeOptions): Promise<KioskNode> {
    const origin = options.signer.name;
    if (options.witnessSigner.name !== origin)
      throw new TypeError(`witnessSigner: expected a key named ${JSON.stringify(origin)}`);
    const ledger = LedgerStore.open(options.storePath, { create: true });
    const clock = options.clock ?? Date.now;
    const writer =
      ledger.ownOrigin() === undefined
        ? LogWriter.init(ledger, origin, options.signer, clock)
        : LogWriter.open(ledger, options.signer, clock);
    const trustedKeys = new Map(options.trustedKeys);
    if (options.registryKey) trustedKeys.set(REGISTRY_ORIGIN, options.registryKey);
    const store = new SqliteReplicaStore(ledger, { clock, trustedKeys });
    const link = new MqttLink({ ...options.broker, nodeId: origin });
    // The replicator's events reach the node, which is built from the replicator.
    const late: { node?: KioskNode } = {};
    const witnessed = new WitnessReports();
    const replicator = new Replicator({
      link,
      store,
      own: writer,
      follow: options.registryKey ? [...options.peers, REGISTRY_ORIGIN] : options.peers,
      witness: new Witness(store, options.witnessSigner, clock),
      clock,
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
      onEvent: (event) => {
        // A new finding about a peer's log goes to HQ at once (in a heartbeat), and stays in every later one.
        const report = reportFor(event, clock());
        if (report && witnessed.add(report)) void late.node?.publishHeartbeat().catch(() => undefined);
        options.onEvent?.(event);
      },
      // Peers' and HQ's cosignatures of this kiosk's and its peers' logs, kept for evidence bundles.
      onOther: async (topic, payload) => {
        if (topic.kind === 'alerts') options.onAlert?.(payload);
        else if (topic.kind === 'health') await peerHeartbeat(store, topic.origin, payload, options);
        else await receiveCosigned(store, topic, payload);
      },
    });
    await replicator.start();
    // Cosignatures and heartbeats are retained and superseded: QoS 0, sent again at each connack (net/topics.ts).
    await link.subscribe(
      [
        ...[origin, ...options.peers].map((o) => topics.cosigns(o)),
        ...(options.onPeerHeartbeat ? options.peers.map((p) => topics.health(p)) : []),
      ],
      0,
    );
    if (options.onAlert) await link.subscribe([topics.alerts(centerOf(origin))]);
    const node = new KioskNode(writer, store, link, replicator, options, witnessed);
    late.node = node;
    const every = options.heartbeat?.everyMs ?? 0;
    if (every > 0) {
      link.onConnect(() => {
        void node.publishHeartbeat().catch(() => undefined);
      });
      node.timer = setInterval(() => {
        void node.publishHeartbeat().catch(() => undefined);
        void node.reannounceCheckpoint().catch(() => undefined);
      }, every);
      node.timer.unref();
    }
    return node;
  }

  get origin(): string {
    return this.writer.origin;
  }

  async append(type: EntryType, payload: Payload): Promise<Appended> {
    const appended = await this.writer.append(type, payload);
    this.replicator.appended();
    return appended;
  }

  /** Publishes the kiosk's health now (retained, signed by the log key); skipped while offline, the next one will do. */
  async publishHeartbeat(): Promise<Heartbeat | undefined> {
    const { heartbeat: options, clock } = this.options;
    if (!this.link.connected) return undefined;
    const heartbeat: Heartbeat = {
      kiosk: this.origin,
      at: (clock ?? Date.now)(),
      version: options?.version ?? 'unknown',
      logSize: await this.store.size(this.origin),
      backlog: await this.replicator.backlog(),
      devices: options?.devices?.() ?? [],
      witnessed: this.witnessed.list(),
    };
    await this.link.publish(
      topics.health(this.origin),
      signHeartbeat(heartbeat, (message) => this.writer.signMessage(message)),
      true,
    );
    return heartbeat;
  }

  /**
   * Publishes the own log's latest checkpoint again (retained), as every periodic heartbeat does. Followers take
   * checkpoints at QoS 0 (net/topics.ts), at most once: one that HQ missed on a quiet log waited for the kiosk's next
   * append or HQ's next reconnect, and what it would have shown HQ missing waited with it; now it comes again within
   * a heartbeat period. Skipped while offline: the connect's announce publishes it.
   */
  async reannounceCheckpoint(): Promise<void> {
    if (!this.link.connected) return;
    await this.link.publish(topics.checkpoint(this.origin), this.writer.checkpoint().note, true);
  }

  /** `force` drops the connection without a clean goodbye, as a crash would. */
  async close(force = false): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // The link before the work in hand (as HqService.close): a publish the broker never acknowledges fails then.
    this.replicator.stop();
    await this.link.close(force);
    await this.replicator.close();
    await this.store.close();
  }
}

/** A peer's heartbeat, handed on only when it names the peer whose topic it came on and its signature verifies. */
async function peerHeartbeat(
  store: SqliteReplicaStore,
  origin: string,
  payload: Buffer,
  options: KioskNodeOptions,
): Promise<void> {
  if (!options.onPeerHeartbeat || !options.peers.includes(origin)) return;
  const { heartbeat, signed, signature } = decodeSignedHeartbeat(payload);
  if (heartbeat.kiosk !== origin)
    throw new MusterError('bad-message', `a heartbeat on ${origin}'s topic names ${heartbeat.kiosk.slice(0, 128)}`);
  // The key in force of the peer's log as this kiosk holds it; none yet (the log not replicated): wait for the next.
  const key = (await store.verifiers(origin)).at(-1);
  if (!key) return;
  if (!key.verify(signed, signature))
    throw new MusterError('bad-signature', `a heartbeat for ${origin} does not verify under its log key`);
  options.onPeerHeartbeat(heartbeat);
}
