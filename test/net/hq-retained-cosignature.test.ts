// HQ's subscription to other witnesses' cosignatures is QoS 0, made again at every connack, so the broker sends
// every log's retained cosignature by each pinned witness again each time HQ reconnects. HQ judges the same note
// only once: before, each came back to a verify, three store reads and a store write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../../net/topics.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, startBroker } from './support/brokers.ts';
import { startPoliceCosigning } from './support/cosigning-nodes.ts';

const KIOSK = 'rc/k1';

describe.each(BROKERS)('a retained cosignature at HQ’s reconnect (%s)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), `muster-retained-cosign-${kind}-`));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is delivered again but judged and kept once', async () => {
    const broker = await startBroker(kind, ['hq', 'police', KIOSK]);
    const nodes = await startPoliceCosigning(dir, broker, KIOSK);
    const { hq } = nodes;
    try {
      await waitFor(
        () => hq.cosignatures(KIOSK).some((c) => c.witness === 'police' && c.matchesHq),
        "HQ listing the police node's cosignature",
        30_000,
      );
      let kept = 0;
      const keep = hq.store.keepCosigned?.bind(hq.store);
      if (!keep) throw new Error("HQ's SQLite store keeps cosignatures");
      hq.store.keepCosigned = (origin, note, witness) => {
        kept++;
        return keep(origin, note, witness);
      };
      let delivered = 0;
      hq.link.client.on('packetreceive', (packet: Packet) => {
        if (packet.cmd === 'publish' && packet.topic === topics.cosign(KIOSK, 'police')) delivered++;
      });

      // The connection cut: HQ comes back on its session, and the broker sends the retained cosignature again.
      hq.link.client.stream.destroy();
      await waitFor(() => delivered === 1 && hq.link.connected, 'the retained cosignature again after the reconnect');
      await waitFor(() => hq.link.unacknowledged === 0, 'HQ done with it');
      expect(kept).toBe(0);
      expect(hq.cosignatures(KIOSK)).toMatchObject([{ witness: 'police', matchesHq: true }]);
    } finally {
      await nodes.close();
      await broker.stop();
    }
  }, 60_000);
});
