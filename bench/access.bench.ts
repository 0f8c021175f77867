// Access-control costs, each beside the durable log append it rides on (the baseline): a personal-data read
// (policy check, an access entry appended before decrypting, two fields decrypted), a session check, and replica
// ingest with HQ's registry held against the same ingest without it (the revocation rule's price). Sign-in is
// scrypt by design: its time is reported against the session check it buys.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '../core/access/roles.ts';
import { PersonalDataStore } from '../access/personal-data-store.ts';
import { UserStore } from '../access/user-store.ts';
import { REGISTRY_ORIGIN } from '../ledger/key-schedule.ts';
import { Signer } from '../ledger/keys.ts';
import { LogWriter } from '../ledger/log-writer.ts';
import { ingestEntries } from '../ledger/replica.ts';
import { LedgerStore } from '../ledger/store.ts';
import { opsPerSecond } from './report.ts';
import type { Suite } from './suites.ts';

const STAFF: Principal = { user: 'sam', role: 'staff', centres: ['c1'] };
const INGEST_ENTRIES = 2000;
const BATCH = 100;
const KIOSKS = 500;

export const accessSuite: Suite = {
  name: 'access',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-access-'));
    try {
      const store = LedgerStore.open(join(dir, 'kiosk.db'), { create: true });
      const writer = LogWriter.init(store, 'c1/k1', Signer.generate('c1/k1'));
      const base = 'access: durable append (baseline)';
      report.add(
        base,
        await opsPerSecond(() => writer.append('checkin', { subject: 'p-0001', centre: 'c1' })),
        'ops/s',
      );

      const pii = PersonalDataStore.open(join(dir, 'pii.db'), {
        centreKey: new Uint8Array(randomBytes(32)),
        log: writer,
      });
      for (let i = 0; i < 1000; i++) pii.put(`p-${i}`, 'c1', { name: `Person ${i}`, idNumber: `ID${i}` });
      let n = 0;
      report.add(
        'access: personal-data read with access entry',
        await opsPerSecond(() => pii.read(STAFF, `p-${n++ % 1000}`, ['name', 'idNumber'], 'desk check')),
        'ops/s',
        base,
      );
      pii.close();

      const users = UserStore.open(join(dir, 'users.db'));
      await users.add({ name: 'sam', role: 'staff', password: 'benchmark password', centres: ['c1'] });
      const start = performance.now();
      const { token } = await users.signIn('sam', 'benchmark password');
      const signInMs = performance.now() - start;
      report.add('access: session check', await opsPerSecond(() => users.principal(token)), 'ops/s', base);
      report.add('access: sign-in (scrypt N=2^15 r=8 p=3)', signInMs, 'ms');
      users.close();
      // Enough entries for the ingest figures, appended in group commits.
      await Promise.all(
        Array.from({ length: INGEST_ENTRIES }, (_, i) => writer.append('checkin', { subject: `p-${i}`, centre: 'c1' })),
      );
      store.close();

      // Replica ingest of one kiosk log, in batches, into a fresh store with and without a registry of KIOSKS kiosks.
      const leaves = [
        ...LedgerStore.open(join(dir, 'kiosk.db'), { readonly: true }).range('c1/k1', 0, INGEST_ENTRIES),
      ].map((r) => r.leaf);
      const registryStore = LedgerStore.open(join(dir, 'registry.db'), { create: true });
      const registry = LogWriter.init(registryStore, REGISTRY_ORIGIN, Signer.generate(REGISTRY_ORIGIN));
      const kioskKey = writer.verifier.publicKey;
      for (let i = 0; i < KIOSKS; i++)
        await registry.append('kiosk-registration', {
          origin: i === 0 ? 'c1/k1' : `d${i}/k1`,
          centre: i === 0 ? 'c1' : `d${i}`,
          key: i === 0 ? kioskKey : Signer.generate(`d${i}/k1`).verifier.publicKey,
        });
      const registryLeaves = [...registryStore.range(REGISTRY_ORIGIN, 0, KIOSKS + 1)].map((r) => r.leaf);
      const ingestAll = (withRegistry: boolean, name: string): number => {
        const replica = LedgerStore.open(join(dir, `${name}.db`), { create: true });
        if (withRegistry) ingestEntries(replica, REGISTRY_ORIGIN, registryLeaves, { source: 'bench' });
        const t0 = performance.now();
        let inserted = 0;
        for (let at = 0; at < leaves.length; at += BATCH)
          inserted += ingestEntries(replica, 'c1/k1', leaves.slice(at, at + BATCH), { source: 'bench' }).inserted;
        if (inserted !== leaves.length)
          throw new Error(`bench: ${name} stored ${inserted} of ${leaves.length} entries`);
        const rate = leaves.length / ((performance.now() - t0) / 1000);
        replica.close();
        return rate;
      };
      // Alternating rounds, best of each: the first round also warms the JIT and the page cache.
      const rates = { plain: 0, registered: 0 };
      for (let round = 0; round < 3; round++) {
        rates.plain = Math.max(rates.plain, ingestAll(false, `plain-${round}`));
        rates.registered = Math.max(rates.registered, ingestAll(true, `registered-${round}`));
      }
      const plain = `access: replica ingest, no registry (${BATCH}-entry batches)`;
      report.add(plain, rates.plain, 'entries/s');
      report.add(`access: replica ingest, registry of ${KIOSKS} kiosks held`, rates.registered, 'entries/s', plain);
      registryStore.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
