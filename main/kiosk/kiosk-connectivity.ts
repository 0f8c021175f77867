// The kiosk's link to its peers and HQ: online, the replication node owns the log's writer and replicates each
// entry at once; offline, a writer on the same store keeps taking entries, and the replicator catches up from the
// log when the node starts again. Every append of the kiosk goes through here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntryType, Payload } from '../../core/entry.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { readRegistryKey } from '../../ledger/registry.ts';
import { type Appended, LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore, type StoredCheckpoint } from '../../ledger/store.ts';
import type { Heartbeat } from '../../net/heartbeat.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topicId } from '../../net/topics.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { KioskConfig } from './kiosk-config.ts';
import type { KioskKeys } from './kiosk-keys.ts';
import { logNodeEvent } from './node-events.ts';

const VERSION = '0.1.0';

export interface ConnectivityOptions {
  readonly config: KioskConfig;
  readonly keys: KioskKeys;
  readonly clock: () => number;
  /** Broker password; otherwise read from the configuration's passwordFile. */
  readonly brokerPassword?: string | undefined;
  readonly heartbeatMs?: number | undefined;
  /** What the heartbeat reports: every device's state and the face engine. */
  readonly devices: () => Heartbeat['devices'];
  readonly logger: Logger;
  /** Breach alerts HQ publishes for the centre (the staff screen's), through every node started. */
  readonly onAlert?: ((payload: Buffer) => void) | undefined;
  /** The peers' verified heartbeats (the staff screen's health of every kiosk of the centre). */
  readonly onPeerHeartbeat?: ((heartbeat: Heartbeat) => void) | undefined;
}

export class KioskConnectivity {
  /** Why nothing can be signed any more: HQ's registry revoked this kiosk's key (LogWriter's 'key-revoked'). */
  keyRevoked: string | undefined;
  private node: KioskNode | undefined;
  private offline: { store: LedgerStore; writer: LogWriter } | undefined;

  constructor(private readonly options: ConnectivityOptions) {}

  get online(): boolean {
    return this.node !== undefined;
  }

  /** The replication node while online. */
  get kioskNode(): KioskNode | undefined {
    return this.node;
  }

  /** Appends to the kiosk's own log; resolves once durable. Replicated at once while online, on reconnect otherwise. */
  append(type: EntryType, payload: Payload): Promise<Appended> {
    const { config, logger } = this.options;
    const appended = this.node
      ? this.node.append(type, payload)
      : this.offline
        ? this.offline.writer.append(type, payload)
        : Promise.reject(new MusterError('kiosk-closed', `${config.kiosk} is closed`));
    return appended.catch((error: unknown) => {
      if (error instanceof MusterError && error.code === 'key-revoked' && this.keyRevoked === undefined) {
        this.keyRevoked = error.message;
        logger.error({ err: error }, 'the kiosk key was revoked: nothing more can be signed');
      }
      throw error;
    });
  }

  /** The log's current signed checkpoint. */
  checkpoint(): StoredCheckpoint {
    const writer = this.node?.writer ?? this.offline?.writer;
    if (!writer) throw new MusterError('device-down', 'the log is not available');
    return writer.checkpoint();
  }

  /** Drops the network (the log keeps taking entries) or brings it back (the replicator catches up from the log). */
  async setOnline(online: boolean): Promise<void> {
    if (online === this.online) return;
    const { config, keys, clock } = this.options;
    if (!online) {
      await this.node?.close(true);
      this.node = undefined;
      const store = LedgerStore.open(join(config.dataDir, `${topicId(config.kiosk)}.db`));
      this.offline = { store, writer: LogWriter.open(store, keys.signer, clock) };
      return;
    }
    this.offline?.store.close();
    this.offline = undefined;
    this.node = await this.startNode();
  }

  async close(): Promise<void> {
    await this.node?.close();
    this.offline?.store.close();
  }

  private async startNode(): Promise<KioskNode> {
    const { config, keys, clock } = this.options;
    let password = this.options.brokerPassword;
    if (password === undefined && config.broker.passwordFile !== undefined) {
      try {
        password = readFileSync(config.broker.passwordFile, 'utf8').trim();
      } catch (error) {
        throw new MusterError('bad-config', `${config.source}: broker.passwordFile: ${errorMessage(error)}`);
      }
    }
    return KioskNode.start({
      storePath: join(config.dataDir, `${topicId(config.kiosk)}.db`),
      signer: keys.signer,
      witnessSigner: keys.witness,
      broker: {
        url: config.broker.url,
        username: config.broker.username ?? topicId(config.kiosk),
        ...(password === undefined ? {} : { password }),
      },
      peers: config.peers,
      ...(config.registryPub === undefined ? {} : { registryKey: readRegistryKey(config.registryPub) }),
      clock,
      retryMs: 200,
      // Faults of the node and forks, rollbacks and forgeries it finds in its peers' logs are never dropped.
      onEvent: (event) => {
        logNodeEvent(this.options.logger, event, clock());
      },
      heartbeat: { everyMs: this.options.heartbeatMs ?? 30_000, version: VERSION, devices: this.options.devices },
      ...(this.options.onAlert ? { onAlert: this.options.onAlert } : {}),
      ...(this.options.onPeerHeartbeat ? { onPeerHeartbeat: this.options.onPeerHeartbeat } : {}),
    });
  }
}
