// HQ cosigns each log at most once per window (net/checkpoint-witnessing.ts, `cosignEveryMs`): a burst of checkpoints
// inside the window gives one cosignature, of the latest, when the window ends; the next window cosigns again; and a
// checkpoint that contradicts the log's verified entries is reported as it arrives, never held for the window. The
// window's time is a fake the test moves, its wake-ups run when the test says (no sleeps).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { Backfill } from '../../net/backfill.ts';
import { CheckpointWitnessing, type WindowTimer } from '../../net/checkpoint-witnessing.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { ReplicationContext, type ReplicationEvent } from '../../net/replication-context.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';

const HQ = 'hq/window';
const ORIGIN = 'cw/k1';
const WINDOW_MS = 5_000;

/** The window's time: `now` moved by the test, each wake-up kept until the test runs it. */
class FakeTimer implements WindowTimer {
  t = 1_000_000;
  readonly wakes: { readonly run: () => void; readonly ms: number }[] = [];
  now(): number {
    return this.t;
  }
  wake(run: () => void, ms: number): void {
    this.wakes.push({ run, ms });
  }
}

describe('cosigning window', () => {
  let broker: BrokerFixture;
  const dir = mkdtempSync(join(tmpdir(), 'muster-cosign-window-'));
  let worlds = 0;
  beforeAll(async () => {
    broker = await startBroker('aedes', [HQ]);
  });
  afterAll(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** HQ's witnessing over a SQLite replica, and a kiosk's log whose entries the replica is given as they are written. */
  async function world(): Promise<{
    witnessing: CheckpointWitnessing;
    ctx: ReplicationContext;
    timer: FakeTimer;
    events: ReplicationEvent[];
    replica: SqliteReplicaStore;
    kiosk: { signer: Signer; append: (count: number) => Promise<string> };
    close: () => Promise<void>;
  }> {
    const n = worlds++;
    const replica = new SqliteReplicaStore(LedgerStore.open(join(dir, `hq${n}.db`), { create: true }));
    const link = new MqttLink({ ...broker.link(HQ), nodeId: HQ });
    await link.connection();
    const events: ReplicationEvent[] = [];
    const ctx = new ReplicationContext(
      link,
      replica,
      () => 1_700_000_000_000,
      (event) => events.push(event),
    );
    const timer = new FakeTimer();
    // Named as HQ's node: the broker lets a node publish cosignatures under its own name only.
    const witness = new Witness(replica, Signer.generate(HQ));
    const witnessing = new CheckpointWitnessing(ctx, witness, new Backfill(ctx, 60_000), WINDOW_MS, timer);
    const signer = Signer.generate(ORIGIN);
    const log = LedgerStore.open(join(dir, `kiosk${n}.db`), { create: true });
    const writer = LogWriter.init(log, ORIGIN, signer);
    let stored = 0;
    /** Appends `count` entries, hands them to HQ's replica, and returns the kiosk's checkpoint. */
    const append = async (count: number): Promise<string> => {
      for (let i = 0; i < count; i++) await writer.append('checkin', { subject: `s${stored + i}` });
      const head = log.head(ORIGIN).size;
      await replica.ingest(
        ORIGIN,
        [...log.range(ORIGIN, stored, head)].map((r) => r.leaf),
        'test',
      );
      stored = head;
      return writer.checkpoint().note;
    };
    const close = async (): Promise<void> => {
      await ctx.drained();
      await link.close(true);
      log.close();
      await replica.close();
    };
    return { witnessing, ctx, timer, events, replica, kiosk: { signer, append }, close };
  }

  const cosigned = (events: readonly ReplicationEvent[]): number[] =>
    events.flatMap((e) => (e.kind === 'cosigned' ? [e.size] : []));

  it('cosigns a burst of checkpoints in one window once, the latest, when the window ends; the next window again', async () => {
    const { witnessing, ctx, timer, events, replica, kiosk, close } = await world();
    try {
      // The first checkpoint of a log opens its window: cosigned as it comes.
      await witnessing.queue(ORIGIN, await kiosk.append(1));
      expect(cosigned(events)).toEqual([2]);

      // Five more inside the window (time moves, but by less than the window): none cosigned yet, one wake-up asked.
      const burst: string[] = [];
      for (let i = 0; i < 5; i++) {
        timer.t += 500;
        burst.push(await kiosk.append(1));
        await witnessing.queue(ORIGIN, burst.at(-1) ?? '');
      }
      expect(cosigned(events)).toEqual([2]);
      expect((await replica.witnessed(ORIGIN))?.size).toBe(2);
      expect(timer.wakes.map((w) => w.ms)).toEqual([WINDOW_MS - 500]);

      // The window ends: the latest (size 7) is judged and cosigned, once; the ones it replaced never are.
      timer.t += WINDOW_MS;
      timer.wakes.shift()?.run();
      await ctx.drained();
      expect(cosigned(events)).toEqual([2, 7]);
      expect((await replica.witnessed(ORIGIN))?.note).toBe(burst.at(-1));

      // That cosignature opened the next window: two more are held, the later cosigned at its end.
      await witnessing.queue(ORIGIN, await kiosk.append(2));
      await witnessing.queue(ORIGIN, await kiosk.append(1));
      expect(cosigned(events)).toEqual([2, 7]);
      expect(timer.wakes).toHaveLength(1);
      timer.wakes.shift()?.run();
      await ctx.drained();
      expect(cosigned(events)).toEqual([2, 7, 10]);

      // A checkpoint that comes after the window has passed with nothing held is cosigned as it comes.
      timer.t += WINDOW_MS;
      await witnessing.queue(ORIGIN, await kiosk.append(1));
      expect(cosigned(events)).toEqual([2, 7, 10, 11]);
      expect(timer.wakes).toEqual([]);
      expect(events.filter((e) => e.kind !== 'cosigned')).toEqual([]);
    } finally {
      await close();
    }
  });

  it('reports a checkpoint that contradicts the verified entries as it arrives inside the window, and still cosigns the held one', async () => {
    const { witnessing, ctx, timer, events, kiosk, close } = await world();
    try {
      const first = await kiosk.append(3);
      await witnessing.queue(ORIGIN, first);
      expect(cosigned(events)).toEqual([4]);
      const held = await kiosk.append(2);
      await witnessing.queue(ORIGIN, held);
      expect(cosigned(events)).toEqual([4]);

      // Signed by the log's own key: the size just cosigned with another root, then a larger size whose root is not
      // consistent with it. Each is a fork, reported before the window's end (no wake-up has run).
      const forged = (size: number): string =>
        signCheckpoint({ origin: ORIGIN, size, root: new Uint8Array(32).fill(size), extensions: [] }, kiosk.signer);
      await witnessing.queue(ORIGIN, forged(4));
      expect(events.filter((e) => e.kind === 'fork').map((e) => e.kind === 'fork' && e.evidence.note)).toEqual([
        forged(4),
      ]);
      await witnessing.queue(ORIGIN, forged(6));
      const forks = events.filter((e) => e.kind === 'fork');
      expect(forks.map((e) => e.kind === 'fork' && e.evidence.note)).toEqual([forged(4), forged(6)]);
      for (const fork of forks)
        if (fork.kind === 'fork') expect(fork.evidence.reason).toMatch(/but its verified entries give/);
      // A smaller size with another root: a rollback, reported at once too, with the cosigned checkpoint as evidence.
      await witnessing.queue(ORIGIN, forged(2));
      const rollback = events.find((e) => e.kind === 'rollback');
      expect(rollback?.kind === 'rollback' && rollback.evidence.witnessedNote).toBe(first);
      expect(timer.wakes).toHaveLength(1);
      expect(cosigned(events)).toEqual([4]);

      // The held checkpoint (size 6, the true one) is still cosigned when the window ends.
      timer.wakes.shift()?.run();
      await ctx.drained();
      expect(cosigned(events)).toEqual([4, 6]);
    } finally {
      await close();
    }
  });
});
