// A kiosk whose broker is down retries for as long as it is down: each failed attempt must not become a
// warning line of its own (one a second was 86,000 lines a day), but the first failure is always reported.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MqttLink } from '../../net/mqtt-link.ts';
import { MemoryLog } from '../../runtime/logger.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** A port that refuses connections: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return address.port;
}

describe('MqttLink with its broker down', () => {
  it('reports the first connection failure and holds back the identical ones that follow', async () => {
    const port = await closedPort();
    const reports: string[] = [];
    const link = new MqttLink({
      url: `mqtt://127.0.0.1:${port}`,
      nodeId: 'warn/kiosk-1',
      reconnect: { initialMs: 5, maxMs: 10 },
      onError: (error, topic) => reports.push(`${topic}: ${error instanceof Error ? error.message : String(error)}`),
    });
    let attempts = 0;
    link.client.on('close', () => {
      attempts += 1;
    });
    try {
      await waitFor(() => attempts >= 8, 'eight failed connection attempts');
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/^\(connection\): .*ECONNREFUSED/);
    } finally {
      await link.close(true);
    }
  });

  it('logs, without an onError, one warning record naming the node, then nothing for the identical failures', async () => {
    const port = await closedPort();
    const memory = new MemoryLog();
    const link = new MqttLink({
      url: `mqtt://127.0.0.1:${port}`,
      nodeId: 'warn/kiosk-2',
      reconnect: { initialMs: 5, maxMs: 10 },
      logger: memory.logger,
    });
    let attempts = 0;
    link.client.on('close', () => {
      attempts += 1;
    });
    try {
      await waitFor(() => attempts >= 8, 'eight failed connection attempts');
      expect(memory.records).toHaveLength(1);
      expect(memory.records[0]).toMatchObject({ level: 'warn', msg: 'broker connection failed', node: 'warn/kiosk-2' });
      expect(JSON.stringify(memory.records[0]?.err)).toContain('ECONNREFUSED');
    } finally {
      await link.close(true);
    }
  });
});
