// A two-kiosk centre's day for evidence tests: real log stores (SQLite files) for kiosks centre-a/k1 and
// centre-a/k2, each signing checkpoints before and after the window, and a third store (HQ) holding verified
// replicas of both. The day (2026-12-01, UTC, window 09:00-11:00, grace 15, late 120) holds one person of each
// verdict kind: on time, late, missed, excused, staff review only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload } from '../../../core/entry.ts';
import { Signer } from '../../../ledger/keys.ts';
import { LogWriter } from '../../../ledger/log-writer.ts';
import { ingestEntries } from '../../../ledger/replica.ts';
import { LedgerStore } from '../../../ledger/store.ts';
import { attemptPayload, checkinPayload, planPayload } from '../../checkin/support/log-builder.ts';

export const DAY = '2026-12-01';
export const PEOPLE = { onTime: 'p-on', late: 'p-late', missed: 'p-miss', excused: 'p-exc', review: 'p-rev' } as const;
export const K1 = 'centre-a/k1';
export const K2 = 'centre-a/k2';

export const at = (hhmm: string): number => Date.parse(`${DAY}T${hhmm}:00Z`);

export interface EvidenceCentre {
  readonly hq: LedgerStore;
  readonly kiosks: readonly [LedgerStore, LedgerStore];
  readonly signers: { readonly [K1]: Signer; readonly [K2]: Signer };
  readonly witness: Signer;
  /** A temporary directory removed by close(); the stores' files are in it. */
  readonly dir: string;
  close(): void;
}

/**
 * `regulars` more people who each check in on time (two attempt entries and a check-in): a busier day.
 * `forgedExcuse`: kiosk k2 also logs an excuse for the missed person (only a staff log's excuse may count).
 * `decisions`: after the 14:00 checkpoints, k1 logs (at 15:00, then a checkpoint at 15:30) the missed person's
 * contest, opened and dismissed, and a staff review holding the review person responsible (a breach).
 */
export async function evidenceCentre(
  regulars = 0,
  options: { readonly forgedExcuse?: boolean; readonly decisions?: boolean } = {},
): Promise<EvidenceCentre> {
  // Kept for the whole file's tests (the ledger fixtures' temp dirs go after each test); close() removes it.
  const dir = mkdtempSync(join(tmpdir(), 'muster-evidence-'));
  let now = at('07:00');
  const clock = (): number => now;
  const open = (origin: string, file: string): { store: LedgerStore; writer: LogWriter; signer: Signer } => {
    const store = LedgerStore.open(join(dir, file), { create: true });
    const signer = Signer.generate(origin);
    return { store, writer: LogWriter.init(store, origin, signer, clock), signer };
  };
  const k1 = open(K1, 'k1.db');
  const k2 = open(K2, 'k2.db');
  const append = async (
    w: LogWriter,
    hhmm: string,
    type: 'plan' | 'checkin' | 'checkin-attempt' | 'excuse' | 'contest' | 'review',
    payload: Payload,
  ): Promise<void> => {
    now = at(hhmm);
    await w.append(type, payload);
  };
  for (const subject of Object.values(PEOPLE))
    await append(
      k1.writer,
      '07:00',
      'plan',
      planPayload({ subject, zone: 'UTC', start: '2026-11-01', centres: ['centre-a'], effectiveFrom: at('06:00') }),
    );
  const others = Array.from({ length: regulars }, (_, i) => `r-${String(i).padStart(4, '0')}`);
  for (const subject of others)
    await append(
      k1.writer,
      '07:00',
      'plan',
      planPayload({ subject, zone: 'UTC', start: '2026-11-01', centres: ['centre-a'], effectiveFrom: at('06:00') }),
    );
  await append(
    k2.writer,
    '07:05',
    'checkin-attempt',
    attemptPayload(undefined, 'no-match', { kiosk: K2, step: 'identify', method: 'fingerprint' }),
  );
  now = at('08:00');
  k1.writer.checkpoint();
  k2.writer.checkpoint();
  await append(k1.writer, '09:05', 'checkin', checkinPayload(PEOPLE.onTime));
  await append(k1.writer, '09:30', 'checkin-attempt', attemptPayload(PEOPLE.review, 'poor-quality'));
  await append(k1.writer, '09:40', 'excuse', {
    subject: PEOPLE.excused,
    from: DAY,
    to: DAY,
    rules: ['missed-checkin'],
    reason: 'medical',
    staff: 'staff-1',
  });
  if (options.forgedExcuse)
    await append(k2.writer, '09:40', 'excuse', {
      subject: PEOPLE.missed,
      from: DAY,
      to: DAY,
      rules: [],
      reason: 'other',
      staff: 'k2-forger',
    });
  for (const [i, subject] of others.entries()) {
    const k = i % 2 === 0 ? k1 : k2;
    // After the day's named events at k1 (the last at 09:40), so kiosk time only moves forward.
    const minute = 9 * 60 + 41 + Math.floor((i * 78) / Math.max(1, others.length));
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    const kiosk = k.writer.origin;
    await append(
      k.writer,
      hhmm,
      'checkin-attempt',
      attemptPayload(subject, 'matched', { kiosk, step: 'identify', method: 'fingerprint' }),
    );
    await append(k.writer, hhmm, 'checkin-attempt', attemptPayload(subject, 'matched', { kiosk }));
    await append(k.writer, hhmm, 'checkin', { ...checkinPayload(subject), kiosk });
  }
  await append(k2.writer, '12:00', 'checkin', { ...checkinPayload(PEOPLE.late), kiosk: K2 });
  await append(
    k1.writer,
    '13:30',
    'checkin-attempt',
    attemptPayload(undefined, 'no-match', { step: 'identify', method: 'fingerprint' }),
  );
  now = at('14:00');
  k1.writer.checkpoint();
  k2.writer.checkpoint();
  if (options.decisions) {
    const contest = { breach: `missed-checkin/${PEOPLE.missed}/${DAY}`, subject: PEOPLE.missed, day: DAY };
    await append(k1.writer, '15:00', 'contest', { ...contest, action: 'open', reason: 'legal', staff: 'staff-2' });
    await append(k1.writer, '15:00', 'contest', {
      ...contest,
      action: 'resolve',
      outcome: 'dismissed',
      reason: 'evidence-checked',
      staff: 'staff-3',
    });
    await append(k1.writer, '15:00', 'review', {
      item: `verification-failed/${PEOPLE.review}/${DAY}`,
      subject: PEOPLE.review,
      day: DAY,
      decision: 'breach',
      reason: 'no-excuse',
      staff: 'staff-2',
    });
    now = at('15:30');
    k1.writer.checkpoint();
  }
  const hq = LedgerStore.open(join(dir, 'hq.db'), { create: true });
  for (const k of [k1, k2]) {
    const origin = k.writer.origin;
    ingestEntries(
      hq,
      origin,
      [...k.store.range(origin, 0, k.store.head(origin).size)].map((r) => r.leaf),
      { source: 'test', trustedKey: k.signer.verifier.publicKey },
    );
  }
  return {
    hq,
    kiosks: [k1.store, k2.store],
    signers: { [K1]: k1.signer, [K2]: k2.signer },
    witness: Signer.generate('hq'),
    dir,
    close: () => {
      for (const s of [hq, k1.store, k2.store]) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
