// An Aedes broker inside the process (`--broker embedded`): for one machine or a small pilot. MQTT 3.1.1, no
// persistence across restarts (sessions and retained messages live in memory; the logs themselves are in
// SQLite, so a restart costs a resubscribe and a backfill, nothing else). The identity of a client is its
// client id, which must equal its user name when credentials are configured; the ACL is net/acl.ts.
import { createServer, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes } from 'aedes';
import { MusterError } from '../core/errors.ts';
import { type AclOptions, mayPublish, maySubscribe } from './acl.ts';

export interface EmbeddedBrokerOptions extends AclOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** User name (node id in topic form) to password; without it any client id may connect. */
  readonly users?: ReadonlyMap<string, string>;
}

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const users = options.users;
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const expected = users?.get(username ?? '');
      const ok = !users || (username === client.id && expected !== undefined && password !== undefined && equal(password, expected));
      if (ok) {
        done(null, true);
        return;
      }
      done(Object.assign(new Error('bad user name or password'), { returnCode: 4 as const }), false);
    },
    authorizePublish: (client, packet, done) => {
      // Messages the broker itself publishes (client null), e.g. $SYS, are allowed.
      if (!client || mayPublish(client.id, packet.topic, options)) done(null);
      else done(new MusterError('not-authorized', `${client.id} may not publish to ${packet.topic}`));
    },
    authorizeSubscribe: (client, subscription, done) => {
      done(null, maySubscribe(client.id, subscription.topic) ? subscription : null);
    },
  });
  const server = createServer(broker.handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return { url: `mqtt://${host}:${port}`, port, close: () => closeAll(server, broker) };
}

function equal(given: Buffer, expected: string): boolean {
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function closeAll(server: Server, broker: Aedes): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  await new Promise<void>((resolve) => {
    broker.close(() => {
      resolve();
    });
  });
  await closed;
}
