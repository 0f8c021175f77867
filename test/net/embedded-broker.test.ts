// The embedded broker faces unauthenticated clients: nothing they send before their credentials are accepted may
// make it hold memory or a connection for long, it listens beyond loopback only with the registry's broker
// passwords, and a connected node's client id cannot be taken over.
import { type Socket, connect } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { mosquittoPasswordLine } from '../../net/acl.ts';
import { type EmbeddedBroker, type EmbeddedBrokerOptions, startEmbeddedBroker } from '../../net/embedded-broker.ts';

const ACL = { alertPublishers: new Set(['hq']) };
let broker: EmbeddedBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

async function start(options: Partial<EmbeddedBrokerOptions> = {}): Promise<EmbeddedBroker> {
  broker = await startEmbeddedBroker({ port: 0, ...ACL, ...options });
  return broker;
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    socket.once('close', () => {
      resolve();
    });
    socket.on('error', () => undefined);
  });
}

/** An MQTT remaining-length field. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const connectAs = (url: string, clientId: string, password?: string) =>
  mqtt.connectAsync(url, {
    clientId,
    username: clientId,
    ...(password === undefined ? {} : { password }),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });

describe('embedded broker before authentication', () => {
  it('closes a connection whose CONNECT declares more than the pre-auth limit, before holding it', async () => {
    const { port } = await start();
    const socket = await rawSocket(port);
    const gone = closed(socket);
    // A CONNECT declaring 256 MB, then the first megabyte of it.
    socket.write(Buffer.from([0x10, ...varint(268_435_455)]));
    socket.write(Buffer.alloc(1024 * 1024, 0x41));
    await gone;
  });

  it('closes a connection that sends more than the pre-auth bytes in small declared packets, or no CONNECT first', async () => {
    const { port } = await start({ limits: { preAuthBytes: 4096 } });
    const trickle = await rawSocket(port);
    const gone = closed(trickle);
    // A CONNECT of 1000 bytes that never completes as MQTT, then more bytes than the limit in total.
    for (let i = 0; i < 8; i++) trickle.write(Buffer.from([0x10, ...varint(1000), ...Buffer.alloc(1000, 0x42)]));
    await gone;
    const publishFirst = await rawSocket(port);
    const refused = closed(publishFirst);
    publishFirst.write(Buffer.from([0x30, ...varint(10), ...Buffer.alloc(10)]));
    await refused;
  });

  it('closes a connection that has not completed its CONNECT in time', async () => {
    const { port } = await start({ limits: { connectTimeoutMs: 300 } });
    const slow = await rawSocket(port);
    const gone = closed(slow);
    slow.write(Buffer.from([0x10, ...varint(200)]));
    await gone;
  });

  it('caps the connections open at once', async () => {
    const { port } = await start({ limits: { maxConnections: 2 } });
    const held = [await rawSocket(port), await rawSocket(port)];
    const third = await rawSocket(port);
    await closed(third);
    for (const s of held) s.destroy();
  });

  it("caps an authenticated client's packets at a muster message, and passes one that fits", async () => {
    const { url } = await start({ limits: { maxPacketBytes: 64 * 1024 } });
    const client = await connectAs(url, 'c1~k1');
    const received: number[] = [];
    const listener = await connectAs(url, 'c1~k2');
    await listener.subscribeAsync('muster/v1/log/c1~k1/entries');
    listener.on('message', (_topic, payload) => received.push(payload.length));
    await client.publishAsync('muster/v1/log/c1~k1/entries', Buffer.alloc(60 * 1024), { qos: 1 });
    await expect.poll(() => received).toEqual([60 * 1024]);
    const dropped = new Promise<void>((resolve) =>
      client.once('close', () => {
        resolve();
      }),
    );
    client.publish('muster/v1/log/c1~k1/entries', Buffer.alloc(70 * 1024), { qos: 0 });
    await dropped;
    client.end(true);
    await listener.endAsync();
  });
});

describe('embedded broker identity', () => {
  it('refuses to listen beyond loopback without credentials', async () => {
    await expect(startEmbeddedBroker({ port: 0, host: '0.0.0.0', ...ACL })).rejects.toMatchObject({
      code: 'insecure-bind',
    });
  });

  it("admits beyond loopback only the nodes of the registry's password file, each with its own password", async () => {
    const passwords = `${mosquittoPasswordLine('hq', 'hq-secret-1')}\n${mosquittoPasswordLine('c1/k1', 'k1-secret-1')}\n`;
    const { port } = await start({ host: '0.0.0.0', passwords });
    const url = `mqtt://127.0.0.1:${port}`;
    await expect(connectAs(url, 'c1~k1', 'hq-secret-1')).rejects.toThrow();
    await expect(connectAs(url, 'c1~k9', 'k1-secret-1')).rejects.toThrow();
    await expect(connectAs(url, 'c1~k1')).rejects.toThrow();
    const k1 = await connectAs(url, 'c1~k1', 'k1-secret-1');
    expect(k1.connected).toBe(true);
    await k1.endAsync();
  });

  it("refuses a second client with the id of a connected one (HQ's own included); the first stays connected", async () => {
    const { url } = await start();
    const hq = await connectAs(url, 'hq');
    await expect(connectAs(url, 'hq')).rejects.toThrow(/[Ii]dentifier rejected/);
    expect(hq.connected).toBe(true);
    await hq.publishAsync('muster/v1/alerts/c1', 'still here', { qos: 1 });
    await hq.endAsync();
    // Once it is gone, the id is free again.
    const again = await connectAs(url, 'hq');
    await again.endAsync();
  });

  it('a start that cannot listen fails with a clear error', async () => {
    const { port } = await start();
    await expect(startEmbeddedBroker({ port, ...ACL })).rejects.toMatchObject({ code: 'broker-listen' });
  });
});
