// The two real brokers every replication test runs against: Aedes in this process and Mosquitto as a separate
// process (password setting from deploy/mosquitto). Both enforce the same ACL, so nodes publish only under
// their own topics.
import { randomBytes } from 'node:crypto';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../net/embedded-broker.ts';
import type { LinkOptions } from '../../../net/mqtt-link.ts';
import { topicId } from '../../../net/topics.ts';
import { freePort } from '../../helpers/free-port.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';

export type BrokerKind = 'aedes' | 'mosquitto';
export const BROKERS: readonly BrokerKind[] = ['aedes', 'mosquitto'];

export interface BrokerFixture {
  readonly kind: BrokerKind;
  /** Connection settings for a node (its own credentials). */
  link(nodeId: string): Omit<LinkOptions, 'nodeId'> & { readonly url: string };
  /** Stops and starts the broker on the same port: Mosquitto keeps its persistence file, Aedes forgets everything. */
  restart(): Promise<void>;
  /** Stops the broker (its port closed) until `up`: restart's two halves, for a test that acts in between. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(kind: BrokerKind, nodeIds: readonly string[]): Promise<BrokerFixture> {
  const users = new Map(nodeIds.map((id) => [topicId(id), randomBytes(12).toString('hex')]));
  const link =
    (url: string) =>
    (nodeId: string): Omit<LinkOptions, 'nodeId'> & { readonly url: string } => {
      const username = topicId(nodeId);
      return { url, username, password: users.get(username) ?? 'unknown', reconnect: { initialMs: 100, maxMs: 1000 } };
    };
  if (kind === 'mosquitto') {
    const server = await startMosquitto({ users });
    return {
      kind,
      link: link(server.url),
      restart: () => server.restart(),
      down: () => server.down(),
      up: () => server.up(),
      stop: () => server.stop(),
    };
  }
  // A port below the ephemeral range (helpers/free-port.ts), not 0: restart, down and up bind it again, and while it
  // is free any listen(0) on the host could be handed it.
  const port = await freePort();
  const options = { port, users, alertPublishers: new Set(['hq']) };
  let broker: EmbeddedBroker = await startEmbeddedBroker(options);
  const up = async (): Promise<void> => {
    broker = await startEmbeddedBroker({ ...options, port });
  };
  return {
    kind,
    link: link(broker.url),
    restart: async () => {
      await broker.close();
      await up();
    },
    down: () => broker.close(),
    up,
    stop: () => broker.close(),
  };
}
