// `muster breaches` and `muster receipt`, driven through the same dispatcher the binary uses, over real
// signed logs: a kiosk's log imported into an HQ store that holds the plans.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../core/bytes.ts';
import { checkinCommands } from '../../main/cli/checkin-commands.ts';
import { receiptToQrText, type Receipt } from '../../main/kiosk/receipt.ts';
import { exportLog, importLog } from '../../ledger/portable.ts';
import { buildInclusionProof } from '../../ledger/proofs.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type MusterRun, runMuster } from '../helpers/run-muster.ts';
import { type KioskLog, kioskLog, tempDir } from './support/kiosk-log.ts';
import { at, attemptPayload, checkinPayload, planPayload } from './support/log-builder.ts';

const NY = 'America/New_York';

function muster(args: string[]): Promise<MusterRun> {
  return runMuster(args, '', checkinCommands);
}

async function append(
  log: KioskLog,
  local: string,
  type: Parameters<KioskLog['writer']['append']>[0],
  payload: Parameters<KioskLog['writer']['append']>[1],
): Promise<number> {
  log.now = at(local, NY);
  return (await log.writer.append(type, payload)).seq;
}

async function city(): Promise<{ dir: string; hq: KioskLog; kiosk: KioskLog; checkinSeq: number; planSeq: number }> {
  const dir = tempDir();
  const hq = kioskLog(dir, 'hq', at('2026-03-01 12:00', NY));
  const kiosk = kioskLog(dir, 'centre-a/k1', at('2026-03-01 12:00', NY));
  const planSeq = await append(hq, '2026-03-01 12:00', 'plan', planPayload({ subject: 's-1', start: '2026-03-02' }));
  await append(hq, '2026-03-01 12:01', 'plan', { ...planPayload({ subject: 's-2' }), zone: 'Atlantis/Capital' });
  const checkinSeq = await append(kiosk, '2026-03-02 09:30', 'checkin', checkinPayload('s-1'));
  await append(kiosk, '2026-03-04 09:40', 'checkin-attempt', attemptPayload('s-1', 'poor-quality'));
  const exported = join(dir, 'kiosk.export');
  await exportLog(kiosk.store, 'centre-a/k1', exported);
  await importLog(hq.store, exported);
  return { dir, hq, kiosk, checkinSeq, planSeq };
}

describe('muster breaches', () => {
  it('lists breaches with rule and evidence, reviews and bad entries, from every log in the store', async () => {
    const { hq, planSeq } = await city();
    const run = await muster(['breaches', '--db', hq.path, '--at', '2026-03-04T23:00:00-05:00']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^BREACH OPEN missed-checkin s-1 2026-03-03 at 2026-03-03T16:15:00.000Z: no check-in in the window$/,
    );
    expect(lines[1]).toBe('  id missed-checkin/s-1/2026-03-03');
    expect(lines[2]).toMatch(new RegExp(`^  evidence hq#${planSeq}:[0-9a-f]{16}$`));
    expect(run.stdout).toMatch(
      /REVIEW PENDING verification-failed s-1 2026-03-04 .*\n {2}id verification-failed\/s-1\/2026-03-04\n {2}evidence hq#1:\S+ centre-a\/k1#2:\S+/,
    );
    expect(run.stdout).toMatch(/PROBLEM hq#2:[0-9a-f]{16} plan: bad-record: plan.zone: expected an IANA time zone/);
    expect(lines.at(-2)).toBe(
      'as of 2026-03-05T04:00:00.000Z: 1 breach(es) standing, 0 excused or dismissed, 1 review item(s) pending, 1 problem(s)',
    );
  });

  it('--json gives evidence that names the exact entries in the store', async () => {
    const { hq } = await city();
    const run = await muster(['breaches', '--db', hq.path, '--at', String(at('2026-03-04 23:00', NY)), '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      breaches: { rule: string; evidence: { origin: string; seq: number; hash: string }[] }[];
    };
    const evidence = report.breaches[0]?.evidence[0];
    expect(evidence).toBeDefined();
    const store = LedgerStore.open(hq.path, { readonly: true });
    try {
      const row = store.entry(evidence?.origin ?? '', evidence?.seq ?? -1);
      expect(Buffer.from(row?.hash ?? []).toString('hex')).toBe(evidence?.hash);
    } finally {
      store.close();
    }
  });

  it('--staff-origin: plans from any other log are problems, not rules', async () => {
    const { hq } = await city();
    const trusted = await muster([
      'breaches',
      '--db',
      hq.path,
      '--at',
      '2026-03-04T23:00:00-05:00',
      '--staff-origin',
      'hq',
    ]);
    expect(trusted.stdout).toContain('1 breach(es) standing');
    const untrusted = await muster([
      'breaches',
      '--db',
      hq.path,
      '--at',
      '2026-03-04T23:00:00-05:00',
      '--staff-origin',
      'centre-a/',
    ]);
    expect(untrusted.stdout).toMatch(
      /PROBLEM hq#1:\S+ plan: untrusted-origin: plan entries are written by staff, not by hq/,
    );
    expect(untrusted.stdout).toContain('0 breach(es) standing');
  });

  it('--at leaves out entries written after it', async () => {
    const { hq } = await city();
    const run = await muster(['breaches', '--db', hq.path, '--at', '2026-03-02T09:00:00-05:00']);
    expect(run.stdout).toContain(
      '0 breach(es) standing, 0 excused or dismissed, 0 review item(s) pending, 1 problem(s)',
    );
  });

  it.each([
    [['breaches'], 2, /--db is required/],
    [['breaches', '--db', 'x.db', '--at', '2026-03-02 09:00'], 2, /--at must be ISO 8601 with Z or an offset/],
    [['breaches', '--db', 'x.db', '--at', '2026-02-30T09:00:00Z'], 2, /not a real time/],
    [['breaches', '--db', '/nonexistent/x.db'], 1, /cannot open log store/],
  ])('refuses %j with exit %i', async (args, code, message) => {
    const run = await muster(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n').length).toBe(2);
  });
});

describe('muster receipt', () => {
  async function issued(): Promise<{ dir: string; kiosk: KioskLog; file: string; receipt: Receipt }> {
    const { dir, kiosk, checkinSeq } = await city();
    const file = join(dir, 'receipt.json');
    const run = await muster([
      'receipt',
      'issue',
      '--db',
      kiosk.path,
      '--seq',
      String(checkinSeq),
      '--out',
      file,
      '--svg',
      join(dir, 'receipt.svg'),
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('person s-1');
    expect(readFileSync(join(dir, 'receipt.svg'), 'utf8')).toMatch(/^<svg/);
    return { dir, kiosk, file, receipt: JSON.parse(readFileSync(file, 'utf8')) as Receipt };
  }

  it('a receipt verifies offline, with the keys inside it or pinned with --pubkey', async () => {
    const { file, kiosk } = await issued();
    kiosk.store.close();
    // Consistent, but under the receipt's own keys: anyone can make such a receipt, so it is not a pass (exit 3).
    const own = await muster(['receipt', 'verify', file]);
    expect(own.code).toBe(3);
    expect(own.stdout).toMatch(
      /^UNVERIFIED KEY: check-in of s-1 at centre-a \(fingerprint \+ face\) at 2026-03-02T14:30:00.000Z is entry 1 of centre-a\/k1.*pass --pubkey/,
    );
    const pinned = await muster(['receipt', 'verify', '--pubkey', kiosk.pub, file]);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).not.toContain('pin');
  });

  it('caps what it reads: /dev/zero is refused, not read to the end', async () => {
    const run = await muster(['receipt', 'verify', '/dev/zero']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/receipt \/dev\/zero is over \d+ bytes/);
  });

  it('the QR text alone verifies too', async () => {
    const { dir, file, kiosk } = await issued();
    const qr = join(dir, 'qr.txt');
    writeFileSync(qr, receiptToQrText(JSON.parse(readFileSync(file, 'utf8')) as Receipt));
    expect((await muster(['receipt', 'verify', '--pubkey', kiosk.pub, qr])).code).toBe(0);
    const text = readFileSync(qr, 'utf8');
    // The QR fits a printed receipt: well under the 2,953 bytes of a version 40 code.
    expect(text.length).toBeLessThan(2000);
    writeFileSync(qr, `${text.slice(0, 60)}${text[60] === 'A' ? 'B' : 'A'}${text.slice(61)}`);
    const tampered = await muster(['receipt', 'verify', qr]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^INVALID: /);
  });

  function flip(b64: string, index: number): string {
    const bytes = fromBase64(b64);
    bytes[index] = (bytes[index] ?? 0) ^ 0x01;
    return toBase64(bytes);
  }

  it.each<[string, (r: Receipt) => unknown, RegExp]>([
    [
      'an edited entry',
      (r) => ({ ...r, proof: { ...r.proof, entry: flip(r.proof.entry, 40) } }),
      /leaf hash does not match|malformed|canonical/,
    ],
    [
      'an edited entry with its hash recomputed',
      (r) => ({ ...r, proof: { ...r.proof, entry: flip(r.proof.entry, 200), leafHash: '00'.repeat(32) } }),
      /leaf hash|malformed|canonical/,
    ],
    [
      'a path hash changed',
      (r) => ({
        ...r,
        proof: {
          ...r.proof,
          path: r.proof.path.map((h, i) => (i === 0 ? `${h[0] === 'a' ? 'b' : 'a'}${h.slice(1)}` : h)),
        },
      }),
      /inclusion path does not lead to the checkpoint root/,
    ],
    [
      'a checkpoint edited',
      (r) => ({ ...r, proof: { ...r.proof, checkpoint: r.proof.checkpoint.replace(/\n\d+\n/, '\n99\n') } }),
      /does not verify|size/,
    ],
    [
      'a foreign key',
      (r) => ({ ...r, keys: ['other+12345678+AaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaA'] }),
      /receipt keys|not signed by any trusted key/,
    ],
    ['not a receipt', () => ({ kind: 'something-else' }), /not a version 1 Muster receipt/],
    ['no proof', (r) => ({ ...r, proof: null }), /receipt\.proof: expected an object/],
  ])('%s is invalid', async (_name, tamper, reason) => {
    const { file, receipt } = await issued();
    writeFileSync(file, JSON.stringify(tamper(receipt)));
    const run = await muster(['receipt', 'verify', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^INVALID: /);
    expect(run.stdout).toMatch(reason);
  });

  it("pinning another kiosk's key rejects a genuine receipt", async () => {
    const { file, dir } = await issued();
    const other = kioskLog(dir, 'centre-b/k1');
    const run = await muster(['receipt', 'verify', '--pubkey', other.pub, file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/INVALID: .*(not signed by any trusted key|origin)/);
  });

  it('receipts are for check-ins only: issuing one for another entry is refused, verifying one fails', async () => {
    const { kiosk, dir, receipt } = await issued();
    const file = join(dir, 'attempt.json');
    const run = await muster(['receipt', 'issue', '--db', kiosk.path, '--seq', '2', '--out', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/entry 2 of centre-a\/k1 is a checkin-attempt; receipts are for check-ins/);
    // A genuine inclusion proof of the attempt, dressed up as a receipt.
    const proof = buildInclusionProof(kiosk.store, 'centre-a/k1', 2, kiosk.writer.checkpoint());
    writeFileSync(file, JSON.stringify({ ...receipt, proof }));
    const verified = await muster(['receipt', 'verify', file]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toBe('INVALID: the entry is a checkin-attempt, not a check-in\n');
  });

  it.each([
    ['garbage', 'not json at all', /neither JSON nor QR text/],
    ['empty QR', 'MR1:', /QR/],
  ])('%s is invalid, not a crash', async (_name, content, reason) => {
    const dir = tempDir();
    const file = join(dir, 'r.txt');
    writeFileSync(file, content);
    const run = await muster(['receipt', 'verify', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(reason);
  });

  it('a missing file is an error with exit 1', async () => {
    const run = await muster(['receipt', 'verify', '/nonexistent/receipt.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read receipt/);
  });
});
