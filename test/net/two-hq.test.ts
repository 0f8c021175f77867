// Two live HQ nodes on one PostgreSQL, both following every log through one broker: ingest is idempotent per
// (origin, seq), so both store into the same tables without conflict; killing one (its link dropped, as a crash)
// loses nothing, and the other alone takes in everything the kiosks append afterwards.
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import type { HqService } from '../../net/hq/hq-service.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { pgHqWorld } from './support/pg-hq-nodes.ts';

const KIOSKS = ['ha/k1', 'ha/k2'];
const NODES = ['hq/a', 'hq/b'];

describe('two HQ nodes on one PostgreSQL', () => {
  const world = pgHqWorld('muster-two-hq-', [...KIOSKS, ...NODES]);

  it('both ingest into one store; with one killed the other takes in everything, roots matching', async () => {
    const [a, b] = (await world.hqNodes(NODES)) as [HqService, HqService];
    const kiosks = await Promise.all(KIOSKS.map((origin) => world.kiosk(origin)));
    const appendAll = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) for (const node of kiosks) await node.append('checkin', { subject: `s-${i}` });
    };
    const caughtUp = async (hq: HqService, what: string): Promise<void> => {
      await waitFor(
        async () => {
          for (const node of kiosks)
            if ((await hq.store.size(node.origin)) !== (await node.store.size(node.origin))) return false;
          return true;
        },
        what,
        30_000,
      );
    };

    await appendAll(20);
    await caughtUp(a, 'both nodes to hold the first entries (one store)');
    // From here on, what the surviving node itself takes in, as its events report it (the shared tables alone would
    // not tell which node stored an entry, and another connection sees a commit before the node reports it).
    let inserted = 0;
    const reported = new Map<string, number>();
    b.events.on('entries', (event) => {
      inserted += event.inserted;
      reported.set(event.origin, Math.max(event.size, reported.get(event.origin) ?? 0));
    });

    // Node a dies without a goodbye.
    await a.link.close(true);
    await appendAll(20);
    await waitFor(
      async () => {
        for (const node of kiosks)
          if ((reported.get(node.origin) ?? 0) < (await node.store.size(node.origin))) return false;
        return true;
      },
      'the surviving node to report taking in what came after the crash',
      30_000,
    );
    await caughtUp(b, 'the surviving node to hold what came after the crash');
    // Every entry appended after the crash, of both kiosks, was stored by the surviving node.
    expect(inserted).toBeGreaterThanOrEqual(20 * KIOSKS.length);
    for (const node of kiosks) {
      const size = await node.store.size(node.origin);
      expect(toBase64(await b.store.root(node.origin, size))).toBe(toBase64(await node.store.root(node.origin, size)));
    }
  }, 120_000);
});
