// One MQTT connection (mqtt.js 5) with the replication rules applied once:
// - persistent session (clean: false), QoS 1; when the broker lost the session (connack.sessionPresent is
//   false) every subscription is made again, which mqtt.js does not do by itself;
// - a message is acknowledged only after its handler resolved (handleMessage delays the PUBACK), so an entry
//   is acked after its SQLite commit; handlers run one at a time, in arrival order;
// - bad input (unknown topic, garbage payload) is reported and acked: redelivering it would never help.
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { MusterError, errorMessage } from '../core/errors.ts';
import { type ParsedTopic, parseTopic, topicId } from './topics.ts';

export type MessageHandler = (topic: ParsedTopic, payload: Buffer) => Promise<void>;

export interface LinkOptions {
  /** mqtt://, mqtts://, or a URL of the embedded broker. */
  readonly url: string;
  /** This node's id in origin form (a kiosk's origin, or e.g. `hq/city`); the MQTT client id is its topic form. */
  readonly nodeId: string;
  readonly username?: string;
  readonly password?: string;
  /** TLS with client certificates (PEM contents). */
  readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly reconnectMs?: number;
  /** A handler threw something other than bad input: reported here (the message is still acked; see replicator). */
  readonly onError?: (error: unknown, topic: string) => void;
}

export class MqttLink {
  readonly client: MqttClient;
  private readonly filters = new Set<string>();
  private handler: MessageHandler = () => Promise.resolve();
  private readonly connectListeners: ((sessionPresent: boolean) => void)[] = [];

  constructor(private readonly options: LinkOptions) {
    const clientOptions: IClientOptions = {
      clientId: topicId(options.nodeId),
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: options.reconnectMs ?? 1000,
      connectTimeout: 10_000,
      // Live entries are never queued in memory while offline: the SQLite log is the queue.
      queueQoSZero: false,
      resubscribe: false,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.tls ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: true } : {}),
    };
    this.client = mqtt.connect(options.url, clientOptions);
    this.client.on('connect', (connack: IConnackPacket) => {
      if (!connack.sessionPresent && this.filters.size > 0) {
        this.client.subscribe([...this.filters], { qos: 1 }, (error) => {
          if (error) this.report(error, '(resubscribe)');
        });
      }
      for (const listener of this.connectListeners) listener(connack.sessionPresent);
    });
    // Reconnects are automatic; errors such as a refused connection are reported, never thrown.
    this.client.on('error', (error) => {
      this.report(error, '(connection)');
    });
    this.client.handleMessage = (packet, done) => {
      void this.dispatch(packet).then(() => {
        done();
      });
    };
  }

  get id(): string {
    return this.options.nodeId;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  setHandler(handler: MessageHandler): void {
    this.handler = handler;
  }

  /** Called on every connack, first connection included. */
  onConnect(listener: (sessionPresent: boolean) => void): void {
    this.connectListeners.push(listener);
  }

  async subscribe(filters: readonly string[]): Promise<void> {
    for (const f of filters) this.filters.add(f);
    if (this.client.connected) await this.client.subscribeAsync([...filters], { qos: 1 });
  }

  /** Resolves when the broker acknowledged the message (QoS 1). */
  async publish(topic: string, payload: Uint8Array | string, retain = false): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain });
  }

  /** Resolves once connected (or immediately when already connected). */
  connection(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.client.once('connect', () => {
        resolve();
      });
    });
  }

  async close(force = false): Promise<void> {
    await this.client.endAsync(force);
  }

  private async dispatch(packet: IPublishPacket): Promise<void> {
    try {
      await this.handler(parseTopic(packet.topic), Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
    } catch (error) {
      this.report(error, packet.topic);
    }
  }

  private report(error: unknown, topic: string): void {
    if (this.options.onError) this.options.onError(error, topic);
    else if (!(error instanceof MusterError)) process.emitWarning(`mqtt ${topic}: ${errorMessage(error)}`);
  }
}
