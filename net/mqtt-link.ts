// One MQTT connection (mqtt.js 5) with the replication rules applied once:
// - persistent session (clean: false); a filter is QoS 1 (HQ's entries and a centre's alerts: each message must
//   arrive) or QoS 0 (`latest`: retained state that the next message supersedes, requests and replies that are
//   retried when unanswered, and a kiosk's peers' entries, which it asks for at each connack). NATS's
//   max_ack_pending caps a session's unacknowledged QoS 1 deliveries over all its subscriptions together and drops
//   a delivery beyond it until ack_wait (60 s); two QoS 1 filters bursting at once went past it.
//   A QoS 0 filter is subscribed again at every connack, so the broker sends its retained messages anew (what was
//   published while offline is not queued at QoS 0); when the broker lost the session (connack.sessionPresent is
//   false) every subscription is made again, which mqtt.js does not do by itself; on a session it kept, every one
//   this process has not made on it yet: a session from the run before holds that run's filters, not one added
//   since (a peer added to a kiosk, --cosigner given to HQ), nor one asked for while offline. On a session from
//   before this process, a QoS 0 filter is first unsubscribed, once: an older Muster may have made it at QoS 1, and
//   NATS (2.9.10 mqtt.go) frees a QoS 1 subscription's unacknowledged deliveries from the session's max_ack_pending
//   only at an UNSUBSCRIBE; a QoS 0 SUBSCRIBE deletes its consumer but keeps them counted, so every later
//   reconnect dropped a burst past what was left until ack_wait (test/net/stale-qos1-session.test.ts);
// - a message is acknowledged only after its handler resolved, so an entry is acked after its SQLite commit;
//   but acknowledgements are pipelined: handlers start in arrival order without waiting for the ones before
//   them (so a burst can share one commit), up to WINDOW unacknowledged messages, and PUBACKs go out in arrival
//   order as MQTT 3.1.1 §4.6 requires. mqtt.js only offers handleMessage, whose callback both sends the PUBACK
//   and lets the next packet in; called with an error it lets the next packet in without a PUBACK, and we send
//   the PUBACK ourselves, on the connection the message came on (never on a later one, whose packet ids differ);
// - a message that arrives before the handler is set waits for it, unacknowledged: a broker resumes a kept session
//   at the connack, before any SUBSCRIBE, and a node that awaits anything between the link and its handler (HqService
//   subscribes to heartbeats first) had those QoS 1 messages acknowledged by no one and lost. The window does not
//   hold packets back until then: a backlog of a window held the SUBACK that node awaited, and it hung at start
//   (what waits is what the broker sends unacknowledged: NATS's max_ack_pending, Mosquitto's max_inflight_messages,
//   Aedes its whole queue);
// - bad input (unknown topic, garbage payload) is reported and acked: redelivering it would never help;
// - several broker URLs (the nodes of a cluster): a lost connection is retried on the next node after a jittered
//   backoff (runtime/retry.ts), so a fleet that lost its node at once comes back spread out, not in one second.
//   mqtt.js only reconnects at a fixed period, so its reconnect is off and the link reconnects by itself,
//   keeping mqtt.js's in-flight stores (its reconnect() would otherwise drop unacknowledged publishes);
// - a subscription the broker refuses (SUBACK 0x80: NATS does so when JetStream is too slow to create the
//   consumer, e.g. while electing a leader, or beyond a session's 65,535 unacknowledged messages, its
//   max_ack_pending times its subscriptions) is reported and tried again with backoff; mqtt.js 5 rejects the whole
//   subscribe call instead, the SUBACK on the error;
// - close() ends in bounded time: mqtt.js keeps a QoS 1 publish the connection lost for the next connection, and
//   its graceful end waits for every such PUBACK, so with the broker away (or the connection already cut) a close
//   and whatever awaited a publish waited for ever. The broker gets CLOSE_GRACE_MS to acknowledge what is in flight,
//   then the connection is cut and every publish not acknowledged fails (link-closed): a SIGTERM'd node stops.
import mqtt, {
  ErrorWithSubackPacket,
  type IClientOptions,
  type IConnackPacket,
  type IPublishPacket,
  type MqttClient,
} from 'mqtt';
import { MusterError, errorMessage } from '../core/errors.ts';
import { type Logger, componentLogger } from '../runtime/logger.ts';
import { Backoff, type BackoffPolicy, retry } from '../runtime/retry.ts';
import { type ParsedTopic, parseTopic, topicId } from './topics.ts';

export type MessageHandler = (topic: ParsedTopic, payload: Buffer) => Promise<void>;

/** Unacknowledged messages in hand at once: a burst worth batching; beyond it a flood waits in the broker. */
const WINDOW = 256;

/** A SUBACK return code at or above this refuses the filter (MQTT 3.1.1 §3.9.3: 0x80). */
const SUBACK_FAILURE = 0x80;

/** Tells mqtt.js not to send the PUBACK (see the header): we send it after the handler resolved. */
const SELF_ACKED = new Error('acknowledged by MqttLink after the handler resolved');

interface Unacked {
  readonly messageId: number | undefined;
  readonly stream: unknown;
  settled: boolean;
}

/** Reconnect backoff unless told otherwise: first retry within 1 s, then up to 30 s apart. */
export const DEFAULT_RECONNECT: BackoffPolicy = { initialMs: 1000, maxMs: 30_000 };
/** An identical connection failure is reported again at most this often. */
export const REPEAT_WINDOW_MS = 10 * 60_000;
/** A closing link waits this long for the broker to acknowledge what is in flight, then as long for its goodbye. */
export const CLOSE_GRACE_MS = 5_000;

export interface LinkOptions {
  /** mqtt:// or mqtts:// URL of the broker, or of each node of a broker cluster (tried in turn from a random one). */
  readonly url: string | readonly string[];
  /** This node's id in origin form (a kiosk's origin, or e.g. `hq/city`); the MQTT client id is its topic form. */
  readonly nodeId: string;
  readonly username?: string;
  readonly password?: string;
  /** TLS with client certificates (PEM contents). */
  readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
  /** Backoff between reconnect attempts (default DEFAULT_RECONNECT; jittered). */
  readonly reconnect?: BackoffPolicy;
  /** A handler threw something other than bad input: reported here (the message is still acked; see replicator). */
  readonly onError?: (error: unknown, topic: string) => void;
  /** Where failures go without onError (default: the process logger's `mqtt` child). */
  readonly logger?: Logger;
}

export class MqttLink {
  readonly client: MqttClient;
  private readonly filters = new Set<string>();
  /** QoS 0 filters, subscribed at every connack for their retained messages. */
  private readonly latest = new Set<string>();
  /** Filters the broker granted on the session in hand, in this process: the rest are subscribed at the next connack. */
  private readonly granted = new Set<string>();
  /** Whether the session in hand was made before this process: the first connack found it present (see the header). */
  private inherited: boolean | undefined;
  /** QoS 0 filters unsubscribed on the inherited session before their QoS 0 subscription (see the header). */
  private readonly unsubscribed = new Set<string>();
  /** The connack's QoS 0 subscription, settled once granted (latestSubscribed). */
  private latestReady: Promise<void> = Promise.resolve();
  private handler: MessageHandler | undefined;
  /** Resolves with the first handler set: what arrived before it waits there, in arrival order. */
  private readonly firstHandler: Promise<MessageHandler>;
  private handlerSet: (handler: MessageHandler) => void = () => undefined;
  private readonly connectListeners: ((sessionPresent: boolean) => void)[] = [];
  private readonly unacked: Unacked[] = [];
  /** Publishes the broker has not acknowledged yet, each with what fails it when the link closes first. */
  private readonly inFlight = new Map<Promise<void>, (error: Error) => void>();
  private resume: (() => void) | undefined;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly stopped = new AbortController();
  /** The last connection failure reported, and how many identical ones were held back since. */
  private lastConnectionError: { readonly message: string; readonly at: number; repeats: number } | undefined;
  private log: Logger | undefined;

  constructor(private readonly options: LinkOptions) {
    this.firstHandler = new Promise((resolve) => {
      this.handlerSet = resolve;
    });
    this.backoff = new Backoff(options.reconnect ?? DEFAULT_RECONNECT);
    const servers = brokerServers(options.url);
    const clientOptions: IClientOptions = {
      clientId: topicId(options.nodeId),
      clean: false,
      protocolVersion: 4,
      servers,
      // mqtt.js refuses client certificates unless the options name a protocol, even when each server carries its own.
      protocol: servers[0]?.protocol ?? 'mqtt',
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      // Live entries are never queued in memory while offline: the SQLite log is the queue.
      queueQoSZero: false,
      resubscribe: false,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.tls
        ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: true }
        : {}),
    };
    this.client = mqtt.connect(clientOptions);
    this.client.on('close', () => {
      this.scheduleReconnect();
    });
    this.client.on('connect', (connack: IConnackPacket) => {
      this.backoff.reset();
      this.lastConnectionError = undefined;
      if (!connack.sessionPresent) this.granted.clear();
      this.inherited = connack.sessionPresent && this.inherited !== false;
      const missing = [...this.filters].filter((f) => !this.granted.has(f));
      if (missing.length > 0) void this.subscribeUntilGranted(missing, 1);
      const latest = [...this.latest];
      this.latestReady =
        latest.length === 0
          ? Promise.resolve()
          : this.unsubscribeStale(latest).then(
              () => this.subscribeUntilGranted(latest, 0),
              (error: unknown) => {
                // Still subscribed at QoS 0 (what the filter is for); its stale deliveries stay counted, as before.
                this.report(error, '(unsubscribe)');
                return this.subscribeUntilGranted(latest, 0);
              },
            );
      for (const listener of this.connectListeners) listener(connack.sessionPresent);
    });
    // Errors such as a refused connection are reported, never thrown; the 'close' that follows reconnects. A
    // broker that stays down fails every attempt the same way: the same failure is reported once, then again
    // only after REPEAT_WINDOW_MS with how many were held back (a day of retries is a few lines, not thousands).
    this.client.on('error', (error) => {
      const message = errorMessage(error);
      const now = Date.now();
      const last = this.lastConnectionError;
      if (last?.message === message && now - last.at < REPEAT_WINDOW_MS) {
        last.repeats += 1;
        return;
      }
      const held = last?.message === message && last.repeats > 0 ? ` (failed ${last.repeats} more times since)` : '';
      this.lastConnectionError = { message, at: now, repeats: 0 };
      this.report(held === '' ? error : new Error(`${message}${held}`), '(connection)');
    });
    this.client.handleMessage = (packet, done) => {
      const slot: Unacked = {
        messageId: packet.qos === 1 ? packet.messageId : undefined,
        stream: this.client.stream,
        settled: false,
      };
      this.unacked.push(slot);
      void this.dispatch(packet).then(() => {
        slot.settled = true;
        this.acknowledge();
      });
      if (packet.qos !== 1)
        done(); // QoS 0 needs no PUBACK
      // No handler yet: the next packet is let in all the same, since the node may await a SUBACK before it sets one.
      else if (this.unacked.length < WINDOW || this.handler === undefined) done(SELF_ACKED);
      else {
        this.resume = () => {
          done(SELF_ACKED);
        };
      }
    };
  }

  get id(): string {
    return this.options.nodeId;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Messages in hand that are not acknowledged yet (their handler runs, or one before them still does). */
  get unacknowledged(): number {
    return this.unacked.length;
  }

  /** Messages received before the first handler is set are handed to it then, in arrival order. */
  setHandler(handler: MessageHandler): void {
    this.handler = handler;
    this.handlerSet(handler);
  }

  /**
   * Resolves once the QoS 0 filters are subscribed on the connection in hand (or it went down, or the link closed):
   * a request sent before its QoS 0 inbox is subscribed again at a connack may be answered into the gap.
   */
  latestSubscribed(): Promise<void> {
    return this.latestReady;
  }

  /** Called on every connack, first connection included. */
  onConnect(listener: (sessionPresent: boolean) => void): void {
    this.connectListeners.push(listener);
  }

  /** `qos` 0 for a `latest` filter (see the header): subscribed again at every connack. */
  async subscribe(filters: readonly string[], qos: 0 | 1 = 1): Promise<void> {
    for (const f of filters) (qos === 1 ? this.filters : this.latest).add(f);
    if (!this.client.connected || filters.length === 0) return;
    if (qos === 0) await this.unsubscribeStale(filters);
    const refused = await this.trySubscribe(filters, qos);
    if (refused.length > 0) void this.subscribeUntilGranted(refused, qos);
  }

  /** Resolves when the broker acknowledged the message (QoS 1); rejects (link-closed) if the link closes first. */
  async publish(topic: string, payload: Uint8Array | string, retain = false): Promise<void> {
    if (this.closing) throw new MusterError('link-closed', `${this.id}: the broker link is closed`);
    let fail: (error: Error) => void = () => undefined;
    const acked = new Promise<void>((resolve, reject) => {
      fail = reject;
      this.client.publish(topic, Buffer.from(payload), { qos: 1, retain }, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
    this.inFlight.set(acked, fail);
    try {
      await acked;
    } finally {
      this.inFlight.delete(acked);
    }
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

  /** `force` cuts the connection at once, as a crash would; either way it ends within twice CLOSE_GRACE_MS. */
  async close(force = false): Promise<void> {
    this.closing = true;
    this.stopped.abort();
    clearTimeout(this.reconnectTimer);
    if (!force && this.client.connected) await settledWithin([...this.inFlight.keys()], CLOSE_GRACE_MS);
    // mqtt.js's graceful end waits for every outstanding acknowledgement, with no limit: cut instead when one is left.
    const cut = force || !this.client.connected || Object.keys(this.client.outgoing).length > 0;
    // A broker that never answers the goodbye would hold the end for ever too.
    const guard = setTimeout(() => this.client.stream.destroy(), CLOSE_GRACE_MS);
    try {
      await this.client.endAsync(cut);
    } finally {
      clearTimeout(guard);
    }
    for (const fail of this.inFlight.values())
      fail(new MusterError('link-closed', `${this.id}: the broker link closed before the broker acknowledged`));
  }

  /**
   * Subscribes at `qos`; returns the filters the broker refused (each reported). mqtt.js 5 rejects the whole call
   * when the SUBACK refuses any filter (0x80) and puts the SUBACK on the error: its codes are read from there, one
   * per filter in the order sent (before, such a refusal was retried without a word, or failed the caller).
   */
  private async trySubscribe(filters: readonly string[], qos: 0 | 1): Promise<string[]> {
    let codes: readonly number[];
    try {
      codes = (await this.client.subscribeAsync([...filters], { qos })).map((grant) => grant.qos);
    } catch (error) {
      if (!(error instanceof ErrorWithSubackPacket)) throw error;
      codes = error.packet.granted.map((code) => (typeof code === 'number' ? code : SUBACK_FAILURE));
    }
    const refused = filters.filter((_, i) => (codes[i] ?? SUBACK_FAILURE) >= SUBACK_FAILURE);
    if (qos === 1) for (const f of filters) if (!refused.includes(f)) this.granted.add(f);
    if (refused.length > 0)
      this.report(
        new MusterError('subscription-refused', `the broker refused the subscription to ${refused.join(', ')}`),
        '(subscribe)',
      );
    return refused;
  }

  /**
   * On a session made before this process, unsubscribes the QoS 0 filters not unsubscribed on it yet (see the
   * header): what an older Muster subscribed at QoS 1 leaves the session's cap with it. The QoS 0 subscription
   * follows on the wire, so nothing is left unsubscribed; a retained message comes again with it anyway.
   */
  private async unsubscribeStale(filters: readonly string[]): Promise<void> {
    const stale = this.inherited === true ? filters.filter((f) => !this.unsubscribed.has(f)) : [];
    if (stale.length === 0 || !this.client.connected) return;
    for (const f of stale) this.unsubscribed.add(f);
    try {
      await this.client.unsubscribeAsync(stale);
    } catch (error) {
      for (const f of stale) this.unsubscribed.delete(f);
      throw error;
    }
  }

  /**
   * Until every filter is granted (or the link closes); offline, the next connack resubscribes. Resolves then, never
   * rejects: a failure is reported.
   */
  private subscribeUntilGranted(filters: readonly string[], qos: 0 | 1): Promise<void> {
    let pending = filters;
    return retry(
      async () => {
        if (!this.client.connected) return;
        pending = await this.trySubscribe(pending, qos);
        if (pending.length > 0) throw new MusterError('subscription-refused', `refused: ${pending.join(', ')}`);
      },
      { policy: this.options.reconnect ?? DEFAULT_RECONNECT, signal: this.stopped.signal },
    ).catch((error: unknown) => {
      if (!this.closing) this.report(error, '(subscribe)');
    });
  }

  /** After a lost or refused connection: the next broker URL, once the jittered backoff has passed. */
  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing || this.client.connected) return;
      this.client.reconnect({ incomingStore: this.client.incomingStore, outgoingStore: this.client.outgoingStore });
    }, this.backoff.next());
  }

  /** Sends the PUBACKs of the settled messages at the head of the queue, in arrival order. */
  private acknowledge(): void {
    const stream = this.client.stream as { destroyed?: boolean; write(chunk: Buffer): boolean } | undefined;
    while (this.unacked[0]?.settled) {
      const slot = this.unacked.shift() as Unacked;
      // A message from a dropped connection stays unacknowledged: the broker delivers it again.
      if (slot.messageId === undefined || slot.stream !== stream || !stream || stream.destroyed === true) continue;
      stream.write(Buffer.from([0x40, 0x02, slot.messageId >> 8, slot.messageId & 0xff])); // PUBACK, MQTT 3.1.1 §3.4
    }
    if (this.resume && this.unacked.length < WINDOW) {
      const resume = this.resume;
      this.resume = undefined;
      resume();
    }
  }

  private async dispatch(packet: IPublishPacket): Promise<void> {
    try {
      const handler = this.handler ?? (await this.firstHandler);
      await handler(
        parseTopic(packet.topic),
        Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      );
    } catch (error) {
      this.report(error, packet.topic);
    }
  }

  private report(error: unknown, topic: string): void {
    if (this.options.onError) {
      this.options.onError(error, topic);
      return;
    }
    this.log ??= this.options.logger ?? componentLogger('mqtt');
    const node = this.options.nodeId;
    // A broker down and refused input (a MusterError: the sender's fault, acked) are warnings; anything else is a fault here.
    if (topic === '(connection)') this.log.warn({ err: error, node }, 'broker connection failed');
    else if (error instanceof MusterError) this.log.warn({ err: error, topic, node }, 'message refused');
    else this.log.error({ err: error, topic, node }, 'message handler failed');
  }
}

/** Resolves once every one of `work` settled, or after `ms`, whichever comes first. */
async function settledWithin(work: readonly Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(work),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** mqtt.js's server list from one URL or several, rotated to start at a random one so a fleet spreads over the nodes. */
function brokerServers(urls: string | readonly string[]): NonNullable<IClientOptions['servers']> {
  const list = typeof urls === 'string' ? [urls] : urls;
  if (list.length === 0) throw new TypeError('broker url: at least one mqtt:// or mqtts:// URL is needed');
  const servers = list.map((url) => {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (!parsed || (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') || parsed.hostname === '') {
      throw new TypeError(`broker url: expected mqtt://host:port or mqtts://host:port, got ${JSON.stringify(url)}`);
    }
    const protocol = parsed.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
    return {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(parsed.port || (protocol === 'mqtts' ? 8883 : 1883)),
      protocol,
    } as const;
  });
  const start = Math.floor(Math.random() * servers.length);
  return [...servers.slice(start), ...servers.slice(0, start)];
}
