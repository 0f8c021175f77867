// Two HQ nodes on one PostgreSQL raise an alert about an event once between them (issue 20: alerts deduplicated by a
// deterministic id). The event here is a kiosk's standing witness report (a fork it found in a peer's log), which
// comes back in every heartbeat: neither node may raise it again. Before, each node kept the events it had raised in
// memory only, so the node taking over the lease (and any HQ after a restart) raised the report again at the kiosk's
// next heartbeat. And since the store keeps such an alert once, the node that saw the event raises it, holder of the
// lease or not: a node cut off from the broker no longer means nobody raises what the kiosks report. A kiosk's
// offline or degraded episode is such an event too (the last block). The lease only gates the breach watcher
// (test/net/pg-lease.test.ts and two-hq-cli.test.ts test it).
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

  it("raise a kiosk's standing report once, heartbeat after heartbeat", async () => {
    const [a, b] = (await world.hqNodes(NODES)) as [HqService, HqService];
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

    // The kiosk's next heartbeat carries the old report, then a new one (handled in that order).
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

  it('raise what a kiosk reports on the node that saw it, when the other node is cut off from the broker', async () => {
    const elsewhere = await startBroker('mosquitto', [CUT_OFF.holder]);
    world.onClose(() => elsewhere.stop());
    await world.hqNodes([CUT_OFF.holder], { on: elsewhere });
    const [standby] = (await world.hqNodes([CUT_OFF.standby])) as [HqService];
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

describe('two HQ nodes raising fleet alerts', () => {
  /** Its kiosks, HQ nodes, and the node started during the degraded episode. */
  const FLEET = { offline: 'c3/k1', degraded: 'c3/k2', nodes: ['hq-e', 'hq-f'], late: 'hq-g' } as const;
  const world = pgHqWorld('muster-two-hq-fleet-', [FLEET.offline, FLEET.degraded, ...FLEET.nodes, FLEET.late]);
  // Nodes and kiosks on one simulated clock: a silence is a step of it, judged when a test calls checkFleet.
  const now = { t: Date.now() };
  const clock = (): number => now.t;
  const fleetAlerts = async (node: HqService, kind: string, kiosk: string): Promise<number> =>
    (await node.store.alerts(0, 1000)).filter((a) => a.kind === kind && a.kiosk === kiosk).length;
  const judgedBy = (nodes: readonly HqService[], kiosk: string, state: string): Promise<boolean> =>
    waitFor(
      () => nodes.every((n) => n.fleetView().find((k) => k.kiosk === kiosk)?.state === state),
      `every node to see ${kiosk} ${state}`,
      60_000,
    );

  it("raise a kiosk's offline episode once between them, whichever node sees it, and a new episode again", async () => {
    const [e, f] = (await world.hqNodes(FLEET.nodes, { clock })) as [HqService, HqService];
    const kiosk = await world.kiosk(FLEET.offline, { clock, heartbeat: { everyMs: 0, version: 'test' } });
    await kiosk.append('checkin', { subject: 'p-1' });
    await waitFor(async () => (await e.store.size(FLEET.offline)) >= 2, "the store to hold the kiosk's log", 60_000);
    await kiosk.publishHeartbeat();
    await judgedBy([e, f], FLEET.offline, 'online');

    // Silent past the policy's 90 s: both nodes judge it offline at once, and the store keeps one alert.
    now.t += 120_000;
    await Promise.all([e.checkFleet(), f.checkFleet()]);
    expect(await fleetAlerts(e, 'offline', FLEET.offline)).toBe(1);

    // Back, then silent again: a new episode, raised by the node that sees it first, and not again by the other.
    now.t += 1000;
    await kiosk.publishHeartbeat();
    await judgedBy([e, f], FLEET.offline, 'online');
    now.t += 120_000;
    await f.checkFleet();
    expect(await fleetAlerts(e, 'offline', FLEET.offline)).toBe(2);
    await e.checkFleet();
    expect(await fleetAlerts(e, 'offline', FLEET.offline)).toBe(2);
    await world.closeNodes();
  }, 300_000);

  it("raise a kiosk's degraded episode once: a node started later in it does not raise it again, a new one does", async () => {
    const [e] = (await world.hqNodes([FLEET.nodes[0]], { clock })) as [HqService];
    let camera: 'ok' | 'failing' = 'failing';
    const kiosk = await world.kiosk(FLEET.degraded, {
      clock,
      heartbeat: { everyMs: 0, version: 'test', devices: () => [{ id: 'camera', state: camera }] },
    });
    await kiosk.append('checkin', { subject: 'p-1' });
    await waitFor(async () => (await e.store.size(FLEET.degraded)) >= 2, "the store to hold the kiosk's log", 60_000);
    const raised = nextAlert([e], (a) => a.kind === 'degraded' && a.kiosk === FLEET.degraded, 'the degraded alert');
    await kiosk.publishHeartbeat();
    await raised;
    // Still degraded at its next heartbeat: the one a node started now sees first (from the store and retained).
    now.t += 1000;
    const later = await kiosk.publishHeartbeat();
    await waitFor(
      async () => (await e.store.heartbeats()).get(FLEET.degraded)?.heartbeat.at === later?.at,
      "the store to hold the kiosk's later heartbeat",
      60_000,
    );
    // The new node judges the fleet before its start resolves: the kiosk degraded, the same episode.
    const [late] = (await world.hqNodes([FLEET.late], { clock })) as [HqService];
    expect(late.fleetView().find((k) => k.kiosk === FLEET.degraded)?.state).toBe('degraded');
    expect(await fleetAlerts(late, 'degraded', FLEET.degraded)).toBe(1);

    // Recovered, then degraded again: a new episode, raised once between the two nodes.
    camera = 'ok';
    now.t += 1000;
    await kiosk.publishHeartbeat();
    await judgedBy([e, late], FLEET.degraded, 'online');
    camera = 'failing';
    now.t += 1000;
    const again = nextAlert([e, late], (a) => a.kind === 'degraded' && a.kiosk === FLEET.degraded, 'the new episode');
    await kiosk.publishHeartbeat();
    await again;
    await judgedBy([e, late], FLEET.degraded, 'degraded');
    expect(await fleetAlerts(late, 'degraded', FLEET.degraded)).toBe(2);
  }, 300_000);
});
