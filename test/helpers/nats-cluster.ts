// Starts a NATS Server cluster (JetStream + MQTT listener) as separate processes on loopback, from the configuration
// shipped in deploy/nats/, each node with free ports and its own store in a temp dir. A node can be killed (SIGKILL,
// as a crash) and started again on the same ports and store; start() returns once a QoS 1 message round-trips
// through the node. (Whether the cluster as a whole has caught up is for the test to judge by its traffic: in
// NATS 2.9 /healthz and /jsz keep reporting a restarted node's consumers as not current long after it serves.)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { natsAuthorization } from '../../net/acl.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { Replicator, type ReplicatorOptions } from '../../net/replicator.ts';
import { fromTopicId, topicId } from '../../net/topics.ts';
import { freePort, portOpen } from './free-port.ts';
import { waitFor } from './wait-for.ts';

const DEPLOY = new URL('../../deploy/nats/', import.meta.url);
export const NATS_SERVER = '/usr/sbin/nats-server';
const PROBE_USER = 'probe';

export interface NatsNode {
  readonly name: string;
  readonly url: string;
  /** The monitoring endpoint (http://…; /healthz, /jsz, /varz). */
  readonly monitor: string;
  readonly running: boolean;
  /** The running server's process id (bench/scale reads its CPU time from /proc). */
  readonly pid: number | undefined;
  /** SIGKILL: the node crashes with whatever it had not written. */
  kill(): Promise<void>;
  /** Starts the node again on the same ports and store, and waits until it serves MQTT again. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every node's MQTT URL (the list MqttLink takes). */
  readonly urls: readonly string[];
  /** User name (node id in topic form) to password, for every node id given at start. */
  readonly passwords: ReadonlyMap<string, string>;
  /** Node `id`'s MQTT user name (the id in topic form) and password. */
  credentials(id: string): { readonly username: string; readonly password: string };
  stop(): Promise<void>;
  /** Whatever the nodes printed, for failure messages. */
  log(): string;
}

/**
 * `users`: the MQTT user names (node ids in topic form) to create, each with a random password and the per-topic
 * permissions of net/acl.ts natsAuthorization (`alertPublishers` may publish alerts; default hq).
 */
export async function startNatsCluster(
  users: readonly string[],
  size = 3,
  alertPublishers: ReadonlySet<string> = new Set(['hq']),
): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-nats-'));

  const passwords = new Map([...users, PROBE_USER].map((user) => [user, randomBytes(12).toString('hex')]));
  // The probe (readiness checks only) publishes on a topic of its own, so it has no restrictions.
  const probe = `    { user: ${JSON.stringify(PROBE_USER)}, password: ${JSON.stringify(passwords.get(PROBE_USER))} }`;
  const authorization = natsAuthorization(users.map(fromTopicId), passwords, { alertPublishers }).replace(
    '  users: [\n',
    `  users: [\n${probe}\n`,
  );
  writeFileSync(join(dir, 'muster-users.conf'), authorization, { mode: 0o600 });
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      route: await freePort(),
      mqtt: await freePort(),
      http: await freePort(),
    })),
  );
  const template = readFileSync(new URL('nats-server.conf', DEPLOY), 'utf8');
  const routes = ports.map((p) => `    nats-route://127.0.0.1:${p.route}`).join('\n');
  let output = '';
  const nodes = ports.map((port, i) => {
    const name = `nats${i + 1}`;
    const store = join(dir, name);
    mkdirSync(store);
    const config = template
      .replace(/^server_name: .*$/m, `server_name: ${name}`)
      .replace(/^listen: .*$/m, `listen: 127.0.0.1:${port.client}`)
      .replace(/^http: .*$/m, `http: 127.0.0.1:${port.http}`)
      .replace(/^( {2}listen: )0\.0\.0\.0:6222$/m, `$1127.0.0.1:${port.route}`)
      .replace(/^( {2}routes: \[\n)(?: {4}nats-route:.*\n)+/m, `$1${routes}\n`)
      .replace(/^( {2}listen: )0\.0\.0\.0:1883$/m, `$1127.0.0.1:${port.mqtt}`)
      .replace('/var/lib/nats', store);
    writeFileSync(join(dir, `${name}.conf`), config);
    return new Node(
      name,
      join(dir, `${name}.conf`),
      port.mqtt,
      port.http,
      passwords.get(PROBE_USER) ?? '',
      (chunk) => (output += chunk),
    );
  });
  try {
    await Promise.all(nodes.map((node) => node.launch()));
    await Promise.all(nodes.map((node) => node.ready()));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `NATS cluster did not start: ${error instanceof Error ? error.message : String(error)}\n${output.slice(-4000)}`,
    );
  }
  return {
    nodes,
    urls: nodes.map((node) => node.url),
    passwords,
    credentials: (id) => ({ username: topicId(id), password: passwords.get(topicId(id)) ?? '' }),
    stop: async () => {
      await Promise.all(nodes.map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}

/** A plain mqtt.js client of node `id` on the cluster's first node, not reconnecting: a kiosk publishing by hand. */
export function connectClient(cluster: NatsCluster, id: string): Promise<MqttClient> {
  return mqtt.connectAsync(cluster.urls[0] ?? '', {
    clientId: topicId(id),
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...cluster.credentials(id),
  });
}

/**
 * HQ as the replication tests run it, without HqService: node `id`'s link to every node of the cluster (reconnecting
 * after 100 ms to 1 s) and a Replicator on it following every log. `watch` sees the link before it connects (to see
 * every packet). Returns once the link is connected and the broker granted the replicator's subscriptions.
 */
export async function startHqReplicator(
  cluster: NatsCluster,
  id: string,
  options: Omit<ReplicatorOptions, 'link' | 'follow'>,
  watch?: (link: MqttLink) => void,
): Promise<{ link: MqttLink; replicator: Replicator }> {
  const link = new MqttLink({
    url: cluster.urls,
    nodeId: id,
    ...cluster.credentials(id),
    reconnect: { initialMs: 100, maxMs: 1000 },
  });
  watch?.(link);
  const replicator = new Replicator({ ...options, link, follow: 'all' });
  // Connected first, so that start() returns once the broker granted the subscriptions; and before the replicator
  // sets its handler, as HqService is (it subscribes to heartbeats first): a kept session's backlog comes at the
  // connack and waits for the handler.
  await link.connection();
  await replicator.start();
  return { link, replicator };
}

interface JszReplica {
  readonly name: string;
  readonly current: boolean;
  readonly lag?: number;
}
interface JszConsumer {
  readonly name: string;
  readonly created: string;
  readonly config: { readonly filter_subject?: string };
  readonly delivered: { readonly stream_seq: number };
  readonly ack_floor: { readonly stream_seq: number };
  readonly num_pending: number;
  readonly num_ack_pending: number;
  readonly num_redelivered: number;
  readonly push_bound?: boolean;
  readonly cluster?: { readonly leader?: string; readonly replicas?: readonly JszReplica[] };
}
interface JszStream {
  readonly name: string;
  readonly state: { readonly last_seq: number };
  readonly cluster?: { readonly leader?: string; readonly replicas?: readonly JszReplica[] };
  readonly consumer_detail?: readonly JszConsumer[];
}
interface Jsz {
  readonly account_details?: readonly { readonly stream_detail?: readonly JszStream[] }[];
}

const replicas = (list: readonly JszReplica[] | undefined): string =>
  (list ?? []).map((r) => `${r.name}${r.current ? '' : ' (not current)'} lag ${r.lag ?? 0}`).join(', ');

/**
 * The JetStream state behind the MQTT QoS 1 subscriptions made since `since` (each is a consumer of the
 * $MQTT_msgs stream), as every running node reports it on /jsz: for the failure message of a subscription that
 * stays silent (which node leads its consumer, what it delivered, whether it sees the subscriber, how far that
 * node's copy of the stream has got). Only the leader's view of a consumer is current; a silent one whose leader
 * does not see its subscriber connected is nats-io/nats-server#6807 (deploy/README.md).
 */
export async function mqttConsumerReport(cluster: NatsCluster, since: Date): Promise<string> {
  const lines: string[] = [];
  for (const node of cluster.nodes.filter((n) => n.running)) {
    try {
      const response = await fetch(`${node.monitor}/jsz?accounts=true&streams=true&consumers=true&config=true`, {
        signal: AbortSignal.timeout(5000),
      });
      const jsz = (await response.json()) as Jsz;
      const stream = jsz.account_details
        ?.flatMap((account) => account.stream_detail ?? [])
        .find((s) => s.name === '$MQTT_msgs');
      if (!stream) {
        lines.push(`${node.name}: no $MQTT_msgs stream`);
        continue;
      }
      lines.push(
        `${node.name}: $MQTT_msgs last seq ${stream.state.last_seq}, leader ${stream.cluster?.leader ?? '?'}, replicas ${replicas(stream.cluster?.replicas)}`,
      );
      for (const c of stream.consumer_detail ?? []) {
        if (Date.parse(c.created) < since.getTime()) continue;
        lines.push(
          `  ${c.name} ${c.config.filter_subject ?? ''}: leader ${c.cluster?.leader ?? '?'} (replicas ${replicas(c.cluster?.replicas)}), delivered ${c.delivered.stream_seq}, ack floor ${c.ack_floor.stream_seq}, pending ${c.num_pending}, ack pending ${c.num_ack_pending}, redelivered ${c.num_redelivered}, subscriber seen ${c.push_bound === true}${c.cluster?.leader === node.name ? ' (this node leads it: its view counts)' : ''}`,
        );
      }
    } catch (error) {
      lines.push(`${node.name}: /jsz failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Whether every MQTT QoS 1 subscription made since `since` has nothing left at the broker: each consumer, in its
 * leader's view, with no message pending and none delivered unacknowledged (a delivery the node dropped stays
 * unacknowledged until ack_wait redelivers it).
 */
export async function mqttConsumersDrained(cluster: NatsCluster, since: Date): Promise<boolean> {
  let seen = 0;
  for (const node of cluster.nodes.filter((n) => n.running)) {
    const response = await fetch(`${node.monitor}/jsz?accounts=true&streams=true&consumers=true&config=true`, {
      signal: AbortSignal.timeout(5000),
    });
    const jsz = (await response.json()) as Jsz;
    const consumers = (jsz.account_details ?? [])
      .flatMap((account) => account.stream_detail ?? [])
      .filter((s) => s.name === '$MQTT_msgs')
      .flatMap((s) => s.consumer_detail ?? [])
      .filter((c) => Date.parse(c.created) >= since.getTime() && c.cluster?.leader === node.name);
    for (const c of consumers) {
      seen++;
      if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
    }
  }
  return seen > 0;
}

class Node implements NatsNode {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly config: string,
    private readonly mqttPort: number,
    private readonly httpPort: number,
    private readonly probePassword: string,
    private readonly print: (chunk: string) => void,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  get monitor(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async launch(): Promise<void> {
    const child = spawn(NATS_SERVER, ['-c', this.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const print = (chunk: Buffer): void => {
      this.print(chunk.toString());
    };
    child.stdout.on('data', print);
    child.stderr.on('data', print);
    const exited = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`${this.name} exited with ${code ?? signal}`));
      });
      child.once('error', reject);
    });
    exited.catch(() => undefined);
    await Promise.race([portOpen(this.mqttPort, 20_000), exited]);
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.name} is running`);
    await this.launch();
    await this.ready();
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    child.kill('SIGKILL');
    await gone;
  }

  /** A QoS 1 publish through this node comes back to a subscriber on it: JetStream and the MQTT streams are up. */
  async ready(): Promise<void> {
    await waitFor(() => this.probe(), `NATS node ${this.name} to serve MQTT`, 90_000);
  }

  /** One round trip, false if any step fails or takes over 10 s (a node still electing leaders drops the client). */
  private async probe(): Promise<boolean> {
    const topic = `muster/v1/probe/${this.name}`;
    const client = mqtt.connect(this.url, {
      clientId: `probe-${this.name}`,
      username: PROBE_USER,
      password: this.probePassword,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, 10_000, false);
        client.once('close', () => {
          resolve(false);
        });
        client.once('message', () => {
          resolve(true);
        });
        client.once('connect', () => {
          client
            .subscribeAsync(topic, { qos: 1 })
            .then(() => client.publishAsync(topic, 'ping', { qos: 1 }))
            .catch(() => {
              resolve(false);
            });
        });
      });
    } finally {
      clearTimeout(timer);
      await client.endAsync(true);
    }
  }
}
