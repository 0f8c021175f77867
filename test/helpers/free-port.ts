// A TCP port that was free a moment ago, for servers that cannot listen on port 0 and report back (Mosquitto,
// PostgreSQL, NATS), and that a broker stopped for a restart binds again. Picked below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range): every listen(0) and outgoing connection on the host gets its port from that range,
// so one of them could take a port picked there before the server binds it, or while the broker is down (seen: a
// listen(0) loop was handed a stopped Mosquitto's port after some 4,600 tries, and the broker's restart failed).
// Below the range only another freePort() pick can take it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Well above the ports of system services a test host may run. */
const LOWEST = 20_000;

export async function freePort(): Promise<number> {
  const ephemeral = ephemeralStart();
  for (let tries = 0; ephemeral - LOWEST >= 1000 && tries < 50; tries++) {
    const port = await listenOnce(LOWEST + Math.floor(Math.random() * (ephemeral - LOWEST)));
    if (port !== undefined) return port;
  }
  // A host whose ephemeral range leaves too little below it: a port from the kernel, as before.
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** The first port of the kernel's ephemeral range (32768 by default). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Listens on the port (0: one the kernel picks) and lets it go; the port, or undefined if it was taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(undefined);
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => {
        resolve(bound);
      });
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function portOpen(port: number, deadlineMs: number, host = '127.0.0.1'): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
