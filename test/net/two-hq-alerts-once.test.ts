// Two HQ nodes on one PostgreSQL raise an alert about an event once between them, also when the lease moves to the
// other node (issue 20: alerts deduplicated by a deterministic id). The event here is a kiosk's standing witness
// report (a fork it found in a peer's log), which comes back in every heartbeat: the node that takes over judging must
// not raise it again. Before, each node kept the events it had raised in memory only, so the new holder (and any HQ
// after a restart) raised the report again at the kiosk's next heartbeat. And since the store keeps such an alert
// once, the node that saw the event raises it, holder of the lease or not: a holder cut off from the broker (the
// lease is PostgreSQL's) no longer means nobody raises what the kiosks report. The lease is played by each node's
// `raisesAlerts` (test/net/pg-lease.test.ts and two-hq-cli.test.ts test the lease itself).
import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../net/alerts.ts';
import type { HqService } from '../../net/hq/hq-service.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startBroker } from './support/brokers.ts';
import { nextAlert, pgHqWorld } from './support/pg-hq-nodes.ts';

const KIOSK = 'c1/k2';
const NODES = ['hq-a', 'hq-b'] as const;
/** The second test's: its holder is on a broker of its own, which no kiosk uses. */
const CUT_OFF = { kiosk: 'c2/k1', holder: 'hq-c', standby: 'hq-d' } as const;
/** What the kiosk found in its peers' logs: a fork in c1/k1's, later one in c1/k3's. */
const report = (origin: string, at: number) =>
  ({ kind: 'fork', origin, at, summary: `${origin}: log forked`, evidence: { reason: 'two roots' } }) as const;

/** A fork `by` reported in `about`'s log, raised by one of `nodes`. */
const forkReported = (nodes: readonly HqService[], about: string, by: string, what: string): Promise<StoredAlert> =>
  nextAlert(nodes, (alert) => alert.kind === 'fork' && alert.kiosk === about && alert.evidence.reportedBy === by, what);

describe('two HQ nodes raising alerts', () => {
  const world = pgHqWorld('muster-two-hq-once-', [KIOSK, ...NODES, ...Object.values(CUT_OFF)]);

  it("raise a kiosk's standing report once, the lease moved to the other node included", async () => {
    let holder: (typeof NODES)[number] = 'hq-a';
    const [a, b] = (await world.hqNodes(NODES, { raisesAlerts: (nodeId) => holder === nodeId })) as [
      HqService,
      HqService,
    ];
    // Every heartbeat a later signed time than the one before, however fast they follow each other.
    let last = 0;
    const kiosk = await world.kiosk(KIOSK, {
      clock: () => (last = Math.max(Date.now(), last + 1)),
      heartbeat: { everyMs: 0, version: 'test' },
    });
    await kiosk.append('checkin', { subject: 'p-1' });
    // The heartbeat is checked under the kiosk's log key: the nodes need its log first.
    await waitFor(async () => (await a.store.size(KIOSK)) >= 1, "HQ's store to hold the kiosk's log", 60_000);
    // Both nodes see every heartbeat; the one whose insert the store takes raises the alert.
    const reported = (about: string): Promise<StoredAlert> =>
      forkReported([a, b], about, KIOSK, `a node to raise the fork the kiosk reported in ${about}`);

    const first = reported('c1/k1');
    kiosk.witnessed.add(report('c1/k1', 5));
    await kiosk.publishHeartbeat();
    await first;

    // hq-b takes over; the kiosk's next heartbeat carries the old report, then a new one (handled in that order).
    holder = 'hq-b';
    const second = reported('c1/k3');
    kiosk.witnessed.add(report('c1/k3', 9));
    expect(kiosk.witnessed.list().map((r) => r.origin)).toEqual(['c1/k1', 'c1/k3']);
    await kiosk.publishHeartbeat();
    await second;
    const stored = (await b.store.alerts(0, 100)).filter((alert) => alert.kind === 'fork');
    expect(stored.map((alert) => alert.kiosk)).toEqual(['c1/k1', 'c1/k3']);
    // Its nodes go: the next test's events must reach only its own.
    await world.closeNodes();
  }, 300_000);

  it('raise what a kiosk reports on the node that saw it, when the holder of the lease is cut off from the broker', async () => {
    const elsewhere = await startBroker('mosquitto', [CUT_OFF.holder]);
    world.onClose(() => elsewhere.stop());
    const raisesAlerts = (nodeId: string): boolean => nodeId === CUT_OFF.holder;
    await world.hqNodes([CUT_OFF.holder], { on: elsewhere, raisesAlerts });
    const [standby] = (await world.hqNodes([CUT_OFF.standby], { raisesAlerts })) as [HqService];
    const kiosk = await world.kiosk(CUT_OFF.kiosk, { heartbeat: { everyMs: 0, version: 'test' } });
    await kiosk.append('checkin', { subject: 'p-1' });
    await waitFor(
      async () => (await standby.store.size(CUT_OFF.kiosk)) >= 1,
      "the standby to store the kiosk's log",
      60_000,
    );
    const raised = forkReported([standby], 'c2/k9', CUT_OFF.kiosk, 'the standby to raise the fork the kiosk reported');
    kiosk.witnessed.add(report('c2/k9', 5));
    await kiosk.publishHeartbeat();
    await raised;
    const stored = (await standby.store.alerts(0, 100)).filter((alert) => alert.kiosk === 'c2/k9');
    expect(stored).toHaveLength(1);
  }, 300_000);
});
