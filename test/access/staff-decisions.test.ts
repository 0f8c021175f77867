// Staff decisions count at HQ only from the centres' staff logs the registry names: a registered kiosk (or a
// stolen kiosk key) that writes an excuse under any staff name turns no open breach into "excused".
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FindingView } from '../../core/api/staff-api.ts';
import { REGISTRY_ORIGIN, readRegistry } from '../../ledger/registry.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { at, planPayload } from '../checkin/support/log-builder.ts';
import { LedgerStore } from '../../ledger/store.ts';

const NY = 'America/New_York';
const STAFF_LOG = 'centre-a/staff';
const KIOSK = 'centre-a/k1';
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: ['centre-a'] }, kioskScreen: false };
type Call = (params: unknown, caller: unknown) => Promise<unknown>;

describe('staff decisions at HQ', () => {
  it("counts an excuse from the registry's staff log, and none from an ordinary kiosk log", async () => {
    const dir = tempDir();
    const staff = kioskLog(dir, STAFF_LOG, at('2026-03-01 12:00', NY));
    const kiosk = kioskLog(dir, KIOSK, at('2026-03-01 12:00', NY));
    // The registry: the staff log registered as such, the kiosk as a plain kiosk (muster kiosk provision).
    const registryPath = join(dir, 'registry.db');
    expect((await runMuster(['ledger', 'init', '--db', registryPath, '--origin', REGISTRY_ORIGIN])).code).toBe(0);
    expect(
      (
        await runMuster([
          'kiosk',
          'provision',
          '--registry',
          registryPath,
          '--origin',
          STAFF_LOG,
          '--pub',
          staff.pub,
          '--staff-log',
        ])
      ).stdout,
    ).toMatch(/registered centre-a\/staff as a staff log/);
    expect(
      (await runMuster(['kiosk', 'provision', '--registry', registryPath, '--origin', KIOSK, '--pub', kiosk.pub])).code,
    ).toBe(0);
    const registryStore = LedgerStore.open(registryPath, { readonly: true });
    const registry = readRegistry(registryStore);
    registryStore.close();
    expect([...(registry?.staffLogs ?? [])]).toEqual([STAFF_LOG]);

    await staff.writer.append('plan', planPayload({ subject: 's-1', start: '2026-03-02' }));
    await staff.writer.append('plan', planPayload({ subject: 's-2', start: '2026-03-02' }));
    kiosk.now = at('2026-03-03 08:00', NY);
    // A forged decision from the kiosk's log, under a staff name nobody can check.
    await kiosk.writer.append('excuse', {
      subject: 's-1',
      from: '2026-03-02',
      to: '2026-03-02',
      rules: [],
      reason: 'forged',
      staff: 'staff-09',
    });
    staff.now = at('2026-03-03 08:00', NY);
    await staff.writer.append('excuse', {
      subject: 's-2',
      from: '2026-03-02',
      to: '2026-03-02',
      rules: [],
      reason: 'hospital',
      staff: 'staff-1',
    });

    const hqStore = SqliteHqStore.open(join(dir, 'hq.db'));
    try {
      for (const log of [staff, kiosk])
        await hqStore.ingest(
          log.writer.origin,
          log.store.rangeAll(log.writer.origin, 0, log.store.head(log.writer.origin).size).map((r) => r.leaf),
          'test',
        );
      const hq = new HqBackend({
        hq: { store: hqStore, events: new EventEmitter<HqEvents>(), fleetView: () => [] },
        clock: () => at('2026-03-03 12:00', NY),
        staffOrigin: (origin) => registry?.staffLogs?.has(origin) === true,
      });
      const breaches = ((await (hq.handlers['hq.breaches'] as Call)({}, officer)) as { breaches: FindingView[] })
        .breaches;
      // On the 2nd, s-1's breach stands (the kiosk's excuse is not a staff decision); s-2's is excused by the staff log.
      const second = breaches
        .filter((b) => b.day === '2026-03-02')
        .map((b) => [b.subject, b.status])
        .sort();
      expect(second).toEqual([
        ['s-1', 'open'],
        ['s-2', 'excused'],
      ]);
    } finally {
      await hqStore.close();
    }
  });
});
