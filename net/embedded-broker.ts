// An Aedes broker inside the process (`--broker embedded`): for one machine or a small pilot. MQTT 3.1.1, no
// persistence across restarts (sessions and retained messages live in memory; the logs themselves are in
// SQLite, so a restart costs a resubscribe and a backfill, nothing else). The identity of a client is its
// client id, which must equal its user name when credentials are configured; the ACL is net/acl.ts.
// It listens on loopback unless given credentials; every connection passes a gate (net/mqtt-gate.ts) that caps
// packet size and what may arrive before authentication, and a connected client's id cannot be taken over.
// A broker that must face the network should be Mosquitto (deploy/mosquitto), not this one inside HQ.
import { createServer, type Server } from 'node:net';
import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { Aedes } from 'aedes';
import { MusterError, errorMessage } from '../core/errors.ts';
import { type AclOptions, mayPublish, maySubscribe } from './acl.ts';
import { type GateLimits, MqttGate } from './mqtt-gate.ts';
import { MAX_MESSAGE_BYTES } from './wire.ts';

export interface EmbeddedBrokerOptions extends AclOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. Any other address needs credentials (`users` or `passwords`). */
  readonly host?: string;
  /** User name (node id in topic form) to password, e.g. the process's own client. */
  readonly users?: ReadonlyMap<string, string>;
  /** A Mosquitto password file's text (`muster kiosk provision --passwords`): the registry's broker passwords. */
  readonly passwords?: string;
  readonly limits?: Partial<BrokerLimits>;
}

export interface BrokerLimits extends GateLimits {
  /** A client that has not completed its CONNECT by then is closed. */
  readonly connectTimeoutMs: number;
  /** Connections open at once; more are refused by the listening socket. */
  readonly maxConnections: number;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  // A muster message (at most 500 leaves of at most 8 KiB payload) plus its topic and MQTT header.
  maxPacketBytes: MAX_MESSAGE_BYTES + 1024,
  // A CONNECT carries a client id, a user name, a password and perhaps a will: far below this.
  preAuthBytes: 16 * 1024,
  connectTimeoutMs: 10_000,
  maxConnections: 1024,
};

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const pbkdf2Async = promisify(pbkdf2);

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const limits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const hashed = options.passwords === undefined ? undefined : parseMosquittoPasswords(options.passwords);
  const open = options.users === undefined && hashed === undefined;
  if (open && !LOOPBACK.test(host))
    throw new MusterError('insecure-bind', `the embedded broker may listen on ${host} only with broker passwords`);
  /** The connection holding each client id, from its authentication until it closes. */
  const claimed = new Map<string, object>();
  const broker = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    authenticate: (client, username, password, done) => {
      const refuse = (returnCode: 2 | 4): void => {
        done(
          Object.assign(new Error(returnCode === 2 ? 'client id in use' : 'bad user name or password'), { returnCode }),
          false,
        );
      };
      // A connected client keeps its id: nobody takes over a node's session (HQ's own included).
      if (claimed.has(client.id)) {
        refuse(2);
        return;
      }
      void credentialsValid(client.id, username, password).then((ok) => {
        if (!ok) {
          refuse(4);
          return;
        }
        if (claimed.has(client.id)) {
          refuse(2);
          return;
        }
        const conn = client.conn;
        claimed.set(client.id, conn);
        conn.once('close', () => {
          if (claimed.get(client.id) === conn) claimed.delete(client.id);
        });
        if (client.conn instanceof MqttGate) client.conn.authenticated = true;
        done(null, true);
      });
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

  async function credentialsValid(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<boolean> {
    if (open) return true;
    if (username !== clientId || password === undefined) return false;
    const plain = options.users?.get(username);
    if (plain !== undefined) return equal(password, Buffer.from(plain));
    const line = hashed?.get(username);
    if (!line) return false;
    const derived = await pbkdf2Async(password, line.salt, line.iterations, line.hash.length, 'sha512');
    return equal(derived, line.hash);
  }

  const server = createServer((socket) => {
    broker.handle(new MqttGate(socket, limits));
  });
  server.maxConnections = limits.maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await closeAll(server, broker);
    throw new MusterError(
      'broker-listen',
      `the embedded broker cannot listen on ${host}:${options.port}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => closeAll(server, broker),
  };
}

interface HashedPassword {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** The `user:$7$iterations$salt$hash` lines of a Mosquitto 2 password file (PBKDF2-SHA512); other lines are refused. */
export function parseMosquittoPasswords(text: string): Map<string, HashedPassword> {
  const users = new Map<string, HashedPassword>();
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const match = /^([^:\s]+):\$7\$(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(line.trim());
    if (!match)
      throw new MusterError('bad-passwords', `password file line ${n + 1} is not user:$7$iterations$salt$hash`);
    const [, user = '', iterations = '', salt = '', hash = ''] = match;
    users.set(user, {
      iterations: Number(iterations),
      salt: Buffer.from(salt, 'base64'),
      hash: Buffer.from(hash, 'base64'),
    });
  }
  return users;
}

function equal(given: Buffer, want: Buffer): boolean {
  return given.length === want.length && timingSafeEqual(given, want);
}

async function closeAll(server: Server, broker: Aedes): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  await new Promise<void>((resolve) => {
    broker.close(() => {
      resolve();
    });
  });
  await closed;
}
