// A centre's copy of HQ's breach alerts (net/centre-alerts.ts), fed with the messages a kiosk's link hands it:
// the newest version of each alert is kept across a reopen; a repeated or older version, an alert for another
// centre, a fleet alert and malformed payloads change nothing, each bad one logged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { CentreAlerts } from '../../net/centre-alerts.ts';
import { MemoryLog } from '../../runtime/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-centre-alerts-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function alert(subject: string, version: number, centres: readonly string[] = ['centre-a']): BreachAlert {
  return {
    v: 1,
    type: 'breach-alert',
    id: `breach:missed-checkin/${subject}/2026-12-03`,
    kind: 'breach',
    rule: 'missed-checkin',
    subject,
    day: '2026-12-03',
    centres,
    firedAt: 1_000,
    raisedAt: 2_000 + version,
    summary: `${subject}: no check-in`,
    evidence: [{ origin: 'centre-a/staff', seq: 1, hash: 'ab'.repeat(32) }],
    finding: 'open',
    status: version > 1 ? 'acknowledged' : 'open',
    assignee: null,
    version,
    history: [{ at: 2_000, event: 'raised', by: 'hq', note: 'no check-in' }],
  };
}

const message = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('CentreAlerts', () => {
  it("keeps the newest version of each of its centre's alerts, across a reopen, and drops everything else", () => {
    const path = join(dir, 'k1.alerts.db');
    const log = new MemoryLog();
    const alerts = CentreAlerts.open(path, 'centre-a', log.logger);
    let changes = 0;
    const off = alerts.onChange(() => (changes += 1));
    expect(alerts.receive(message(alert('p-1', 1)))).toBe(true);
    expect(alerts.receive(message(alert('p-1', 2)))).toBe(true);
    // QoS 1 redelivery and out-of-order versions change nothing.
    expect(alerts.receive(message(alert('p-1', 2)))).toBe(false);
    expect(alerts.receive(message(alert('p-1', 1)))).toBe(false);
    expect(alerts.receive(message(alert('p-2', 1, ['centre-b', 'centre-a'])))).toBe(true);
    // Not for this centre; a fleet alert (no type); not JSON; a breach alert with a field too many or missing.
    expect(alerts.receive(message(alert('p-3', 1, ['centre-b'])))).toBe(false);
    expect(
      alerts.receive(
        message({
          kind: 'offline',
          kiosk: 'centre-a/k1',
          center: 'centre-a',
          at: 1,
          summary: 'no heartbeat',
          evidence: {},
        }),
      ),
    ).toBe(false);
    expect(alerts.receive(Buffer.from('{"type":"breach-alert"'))).toBe(false);
    expect(alerts.receive(message({ ...alert('p-4', 1), extra: 'x' }))).toBe(false);
    const { status: _status, ...noStatus } = alert('p-5', 1);
    expect(alerts.receive(message(noStatus))).toBe(false);
    expect(alerts.receive(message([1, 2]))).toBe(false);
    expect(changes).toBe(3);
    off();
    expect(alerts.list().map((a) => `${a.subject} v${a.version} ${a.status}`)).toEqual([
      'p-1 v2 acknowledged',
      'p-2 v1 open',
    ]);
    expect(log.records.map((r) => r.msg)).toEqual([
      'alert message dropped: not for centre-a',
      'alert message dropped: not a breach alert',
      'alert message dropped: not a breach alert',
      'alert message dropped: not a breach alert',
      'alert message dropped: not a breach alert',
    ]);
    alerts.close();
    // After a close (the process stopping) a late message is ignored; a reopen has the same list.
    expect(alerts.receive(message(alert('p-6', 1)))).toBe(false);
    const reopened = CentreAlerts.open(path, 'centre-a', log.logger);
    expect(reopened.list().map((a) => `${a.subject} v${a.version}`)).toEqual(['p-1 v2', 'p-2 v1']);
    reopened.close();
  });
});
