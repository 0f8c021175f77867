// `muster hq --broker a,b` as a process (issue 20: HQ takes several broker URLs and fails over between them). Two
// Mosquittos, `first` and `second`, HQ given both in that order; a centre's staff log (a kiosk node here, on the same
// two URLs) appends plans whose window closed yesterday, so each plan is a missed check-in HQ must raise at once.
// First, with `first` down from the start, HQ stores the log and raises the breach through `second`; then `first`
// comes up and `second` goes down mid-run, and HQ moves on to `first` for the next plan. An HQ that only tried the
// first URL fails the first part; one that kept retrying the node it started on fails one part or the other,
// whichever node it drew (MqttLink starts at a random one). The kiosk's own failover: kiosk-failover-cli.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Signer, writeSignerFile } from '../../ledger/keys.ts';
import { mosquittoAcl } from '../../net/acl.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topicId } from '../../net/topics.ts';
import { planFor } from '../checkin/support/log-builder.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type MusterProcess, passwordFiles, startMuster } from './support/muster-process.ts';

const STAFF = 'centre-a/staff';
const dir = mkdtempSync(join(tmpdir(), 'muster-hq-failover-'));
const passwords = new Map(['hq', topicId(STAFF)].map((id) => [id, `pw-${id}`]));
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

let first: MosquittoServer;
let second: MosquittoServer;
let staff: KioskNode | undefined;
let hq: MusterProcess | undefined;

/** HQ holds the staff log as the kiosk node does, and serves the breach alert `id`. */
async function heldAndRaised(proc: MusterProcess, node: KioskNode, id: string, what: string): Promise<void> {
  const size = await node.store.size(STAFF);
  await waitFor(
    async () => {
      const logs = (await (await fetch(`${proc.http}/api/logs`)).json()) as {
        logs: { origin: string; size: number }[];
      };
      return logs.logs.find((l) => l.origin === STAFF)?.size === size;
    },
    `HQ to store the staff log's ${size} entries ${what}`,
    120_000,
  );
  await waitFor(
    async () => {
      const res = await fetch(`${proc.http}/api/breach-alerts?limit=1000`);
      return ((await res.json()) as { alerts: BreachAlert[] }).alerts.some((alert) => alert.id === id);
    },
    `HQ to raise ${id} ${what}`,
    120_000,
  );
}

beforeAll(async () => {
  const acl = mosquittoAcl(['hq', STAFF], { alertPublishers: new Set(['hq']) });
  first = await startMosquitto({ users: passwords, acl });
  second = await startMosquitto({ users: passwords, acl });
  // Down before anyone connects: its port is closed when HQ starts.
  await first.down();
}, 120_000);

afterAll(async () => {
  await hq?.stop('SIGKILL');
  await staff?.close(true);
  await first.stop();
  await second.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('muster hq --broker first,second', () => {
  it(
    'with the first node down, stores and raises through the second; the second down mid-run, moves on to the first',
    {
      timeout: 600_000,
    },
    async () => {
      const signer = Signer.generate(STAFF);
      writeSignerFile(join(dir, 'staff.key'), signer);
      const passwordFile = passwordFiles(dir, passwords)('hq');
      const urls = [first.url, second.url];
      hq = await startMuster(
        [
          'hq',
          '--db',
          join(dir, 'hq.db'),
          '--broker',
          urls.join(','),
          '--password-file',
          passwordFile,
          '--http',
          '0',
          '--trust',
          join(dir, 'staff.key.pub'),
          '--staff-log',
          STAFF,
        ],
        'muster hq',
      );
      const node = await KioskNode.start({
        storePath: join(dir, 'staff.db'),
        signer,
        witnessSigner: Signer.generate(STAFF),
        broker: { url: urls, username: topicId(STAFF), password: passwords.get(topicId(STAFF)) ?? '' },
        peers: [],
        retryMs: 500,
      });
      staff = node;

      await heldAndRaised(hq, node, await planFor(node, 'p-1', yesterday), 'through the second node, the first down');

      await first.up();
      await second.down();
      await heldAndRaised(
        hq,
        node,
        await planFor(node, 'p-2', yesterday),
        'through the first node, the second down mid-run',
      );
    },
  );
});
