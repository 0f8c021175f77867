// What bench/scale measures beside the fleet's load: a breach probe (a staff log with plans and a kiosk of another
// centre where those people check in: each check-in is a wrong-centre breach, timed from its signing to the alert
// on HQ's dashboard SSE stream), a centre back after a day offline (real kiosks with a day's log each, timed until
// HQ holds every entry), and CPU time of processes from /proc (broker nodes, PostgreSQL).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Signer } from '../ledger/keys.ts';
import { LogWriter } from '../ledger/log-writer.ts';
import { LedgerStore } from '../ledger/store.ts';
import type { HqStore } from '../net/hq/hq-store.ts';
import { KioskNode } from '../net/kiosk-node.ts';
import type { LinkOptions } from '../net/mqtt-link.ts';
import { planPayload } from '../test/checkin/support/log-builder.ts';
import { morningStep } from './scale-people.ts';

export const PROBE_STAFF = 'probe-a/staff';
export const PROBE_KIOSK = 'probe-b/k1';
/** A day's entries of one kiosk: 25 people (50,000 per 2,000 kiosks) at 3.2 entries each. */
export const DAY_ENTRIES = 80;
export const CENTRE_KIOSKS = 4;

type Broker = (origin: string) => Omit<LinkOptions, 'nodeId'>;

/** The origins of the centre that comes back after a day offline, for the measurement named `name`. */
export function offlineCentre(name: string): string[] {
  return Array.from({ length: CENTRE_KIOSKS }, (_, i) => `day-${name}/k${i}`);
}

/** Reads the dashboard's SSE stream (GET /api/events) and notes when each breach alert arrives, by subject. */
export class AlertScreen {
  readonly arrived = new Map<string, number>();
  private readonly abort = new AbortController();

  static async open(url: string): Promise<AlertScreen> {
    const screen = new AlertScreen();
    const res = await fetch(`${url}/api/events`, { signal: screen.abort.signal });
    if (!res.body) throw new Error('the SSE stream has no body');
    void screen.read(res.body.getReader());
    return screen;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!frame.includes('event: breach-alert')) continue;
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          const subject = data ? (JSON.parse(data.slice(6)) as { subject?: string }).subject : undefined;
          if (subject !== undefined && !this.arrived.has(subject)) this.arrived.set(subject, Date.now());
        }
      }
    } catch {
      // closed
    }
  }

  close(): void {
    this.abort.abort();
  }
}

/** The staff log (plans: every probe person at probe-a all day) and the probe kiosk at probe-b. */
export class BreachProbe {
  /** Signing time of each probe check-in, by subject. */
  readonly signed = new Map<string, number>();
  private next = 0;

  private constructor(private readonly kiosk: KioskNode) {}

  static async start(dir: string, broker: Broker, people: number): Promise<{ probe: BreachProbe; staff: KioskNode }> {
    const staff = await node(dir, PROBE_STAFF, broker);
    const today = new Date().toISOString().slice(0, 10);
    // A window around now (UTC hours; a plan's window, grace and lateness stay under 20 hours): a run started in
    // the last minutes of a UTC day sees its probes after the day turned, and judged as another day's.
    const hour = new Date().getUTCHours();
    const hh = (h: number): string => `${String(h).padStart(2, '0')}:00`;
    const window = { open: hh(Math.max(0, hour - 2)), close: hour + 4 > 23 ? '23:59' : hh(hour + 4) };
    for (let i = 0; i < people; i++)
      await staff.append(
        'plan',
        planPayload({
          subject: `q-${i}`,
          zone: 'UTC',
          start: today,
          ...window,
          centres: ['probe-a'],
        }),
      );
    return { probe: new BreachProbe(await node(dir, PROBE_KIOSK, broker)), staff };
  }

  /** The next probe person checks in at the wrong centre; returns the subject. */
  async checkIn(): Promise<string> {
    const subject = `q-${this.next++}`;
    this.signed.set(subject, Date.now());
    await this.kiosk.append('checkin', {
      subject,
      centre: 'probe-b',
      kiosk: PROBE_KIOSK,
      attempt: `probe-${subject}`,
      methods: ['fingerprint', 'face'],
      fingerprintScore: 0.9,
      faceScore: 0.7,
      tasks: [],
    });
    return subject;
  }

  /** Signing-to-screen latencies of the given subjects' alerts (those that arrived), sorted. */
  latencies(subjects: readonly string[], screen: AlertScreen): number[] {
    return subjects
      .flatMap((s) => {
        const at = screen.arrived.get(s);
        const signed = this.signed.get(s);
        return at === undefined || signed === undefined ? [] : [at - signed];
      })
      .sort((a, b) => a - b);
  }

  close(): Promise<void> {
    return this.kiosk.close();
  }
}

/** Writes a day's log for each kiosk of the centre (yesterday's clock), offline. */
export async function writeOfflineDay(dir: string, origins: readonly string[]): Promise<Map<string, Signer>> {
  const yesterday = Date.now() - 86_400_000;
  const signers = new Map<string, Signer>();
  for (const origin of origins) {
    const signer = Signer.generate(origin);
    signers.set(origin, signer);
    const store = LedgerStore.open(storePath(dir, origin), { create: true });
    const writer = LogWriter.init(store, origin, signer, () => yesterday);
    for (let i = 0; i < DAY_ENTRIES; i++) {
      const step = morningStep(origin, 25, i);
      await writer.append(step.type, step.payload);
    }
    store.close();
  }
  return signers;
}

/** The centre's kiosks reconnect: seconds until HQ holds every entry of every one of them. */
export async function catchUp(
  dir: string,
  broker: Broker,
  signers: ReadonlyMap<string, Signer>,
  store: HqStore,
): Promise<number> {
  const started = performance.now();
  const nodes = await Promise.all(
    [...signers].map(([origin, signer]) =>
      KioskNode.start({
        storePath: storePath(dir, origin),
        signer,
        witnessSigner: Signer.generate(origin),
        broker: broker(origin),
        peers: [],
      }),
    ),
  );
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const sizes = await Promise.all([...signers.keys()].map((o) => store.size(o)));
      if (sizes.every((n) => n === DAY_ENTRIES + 1)) return (performance.now() - started) / 1000;
      if (Date.now() > deadline) return Number.NaN;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
}

/** CPU seconds (user + system) a process and its live children have used; exited children the parent waited for too. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const tick = 100; // USER_HZ on Linux
  const stat = (p: string): string[] | undefined => {
    try {
      const text = readFileSync(join('/proc', p, 'stat'), 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  // Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  const own = stat(String(pid));
  if (!own) return Number.NaN;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || entry === String(pid)) continue;
    const child = stat(entry);
    if (child?.[1] === String(pid)) ticks += Number(child[11]) + Number(child[12]);
  }
  return ticks / tick;
}

async function node(dir: string, origin: string, broker: Broker): Promise<KioskNode> {
  return KioskNode.start({
    storePath: storePath(dir, origin),
    signer: Signer.generate(origin),
    witnessSigner: Signer.generate(origin),
    broker: broker(origin),
    peers: [],
  });
}

function storePath(dir: string, origin: string): string {
  return join(dir, `${origin.replace('/', '~')}.db`);
}
