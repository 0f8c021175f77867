// The `muster ledger` contract, driven in process through the same dispatcher the binary uses,
// plus a few runs of the real binary to prove errors never surface as stack traces.
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../main/cli/commands.ts';
import { MUSTER_FROM_SOURCES, type MusterRun, runMuster } from '../helpers/run-muster.ts';
import { tempDir } from './fixtures.ts';

const muster = (args: string[], stdin = ''): Promise<MusterRun> => runMuster(args, stdin);

/** A check-in payload that fits its record schema (core/records/checkin.ts). */
function checkin(subject: string): string {
  return JSON.stringify({
    subject,
    centre: 'center-01',
    kiosk: 'center-01/kiosk-1',
    attempt: `a-${subject}`,
    methods: ['fingerprint', 'face'],
    tasks: [],
  });
}

async function kiosk(entries: number): Promise<{ dir: string; db: string; pub: string }> {
  const dir = tempDir();
  const db = join(dir, 'k.db');
  expect((await muster(['ledger', 'init', '--db', db, '--origin', 'center-01/kiosk-1'])).code).toBe(0);
  const lines = Array.from({ length: entries }, (_, i) => checkin(`p-${i}`)).join('\n');
  expect((await muster(['ledger', 'append', '--db', db, '--type', 'checkin'], lines)).code).toBe(0);
  return { dir, db, pub: `${db}.key.pub` };
}

describe('muster ledger', () => {
  it('init creates the store and a 0600 key with its public key beside it', async () => {
    const dir = tempDir();
    const db = join(dir, 'k.db');
    const run = await muster(['ledger', 'init', '--db', db, '--origin', 'center-01/kiosk-1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^initialised center-01\/kiosk-1 in /);
    expect(readFileSync(`${db}.key.pub`, 'utf8')).toMatch(/^center-01\/kiosk-1\+[0-9a-f]{8}\+/);
    const { statSync } = await import('node:fs');
    expect(statSync(`${db}.key`).mode & 0o777).toBe(0o600);
    expect((await muster(['ledger', 'init', '--db', db, '--origin', 'center-01/kiosk-1'])).stderr).toMatch(
      /already holds the own log/,
    );
  });

  it('append prints "<seq> <leaf hash>" per line, skips blank lines, and stops at a bad line keeping what came before', async () => {
    const { db } = await kiosk(0);
    const run = await muster(
      ['ledger', 'append', '--db', db, '--type', 'checkin'],
      `${checkin('a')}\n\n${checkin('b')}\nnot json\n${checkin('c')}\n`,
    );
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['1', '2']);
    expect(run.stdout).toMatch(/^1 [0-9a-f]{64}\n2 [0-9a-f]{64}\n$/);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/line 4: not JSON/);
    expect((await muster(['ledger', 'verify', '--db', db])).stdout).toMatch(/^ok 3 entries/);
  });

  it('append checks each payload against its record schema before signing it: a bad one is refused by field and nothing is signed', async () => {
    const { db } = await kiosk(1);
    const wrong = JSON.stringify({
      subject: 'p-1',
      centre: 'center-01',
      kiosk: 'center-01/kiosk-1',
      attempt: 'a-1',
      methods: ['fingerprint'],
      tasks: [],
    });
    const run = await muster(
      ['ledger', 'append', '--db', db, '--type', 'checkin'],
      `${checkin('p-0')}\n${wrong}\n${checkin('p-2')}\n`,
    );
    expect(run).toMatchObject({ code: 1 });
    expect(run.stdout).toMatch(/^2 [0-9a-f]{64}\n$/);
    expect(run.stderr).toMatch(/line 2: checkin.methods: a check-in needs two methods/);
    const unknownField = await muster(
      ['ledger', 'append', '--db', db, '--type', 'device-health'],
      '{"centre":"center-01","kiosk":"center-01/kiosk-1","device":"camera","state":"ok","since":1,"name":"Ann"}\n',
    );
    expect(unknownField.stderr).toMatch(/line 1: device-health.name: unknown field/);
    expect((await muster(['ledger', 'verify', '--db', db])).stdout).toMatch(/^ok 3 entries/);
  });

  it('append refuses key entries, which only their commands write, and lists the entry types in its help', async () => {
    const { db } = await kiosk(0);
    const genesis = await muster(['ledger', 'append', '--db', db, '--type', 'genesis'], '{}\n');
    expect(genesis).toMatchObject({ code: 2 });
    expect(genesis.stderr).toMatch(/genesis entries are written only by muster ledger init/);
    const help = await muster(['ledger', 'append', '--help']);
    expect(help).toMatchObject({ code: 0 });
    for (const type of [
      'checkin',
      'checkin-attempt',
      'plan',
      'excuse',
      'review',
      'device-health',
      'enrolment',
      'alert-action',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${type}$`, 'm'));
    expect(help.stdout).toMatch(/key-revocation +muster kiosk revoke/);
  });

  it('verify: exit 0 with "ok <n> entries" when intact, exit 1 with the first failing seq when not', async () => {
    const { db, pub } = await kiosk(10);
    const ok = await muster(['ledger', 'verify', '--db', db, '--pubkey', pub]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^ok 11 entries, root [0-9a-f]{64}/);
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(db);
    raw.prepare('DELETE FROM entries WHERE seq = 6').run();
    raw.close();
    const bad = await muster(['ledger', 'verify', '--db', db]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('FAILED at seq 6: entry 6 is missing (next stored is 7)\n');
    const json = JSON.parse((await muster(['ledger', 'verify', '--db', db, '--json'])).stdout) as {
      ok: boolean;
      seq: number;
    };
    expect(json).toMatchObject({ ok: false, seq: 6 });
  });

  it('checkpoint prints a signed note; prove and check-proof round-trip inclusion and consistency offline', async () => {
    const { dir, db, pub } = await kiosk(12);
    const note = (await muster(['ledger', 'checkpoint', '--db', db])).stdout;
    expect(note).toMatch(/^center-01\/kiosk-1\n13\n[A-Za-z0-9+/]{43}=\n\n\u2014 center-01\/kiosk-1 [A-Za-z0-9+/=]+\n$/);
    const inclusion = join(dir, 'inclusion.json');
    writeFileSync(inclusion, (await muster(['ledger', 'prove', '--db', db, '--seq', '5'])).stdout);
    expect(await muster(['ledger', 'check-proof', '--pubkey', pub, inclusion])).toMatchObject({
      code: 0,
      stdout: 'ok entry 5 (checkin) is in center-01/kiosk-1 at size 13\n',
    });
    const consistency = join(dir, 'consistency.json');
    writeFileSync(consistency, (await muster(['ledger', 'prove', '--db', db, '--from', '7'])).stdout);
    expect(await muster(['ledger', 'check-proof', '--pubkey', pub, consistency])).toMatchObject({
      code: 0,
      stdout: 'ok center-01/kiosk-1 at size 7 is a prefix of size 13\n',
    });

    const tampered = JSON.parse(readFileSync(inclusion, 'utf8')) as { path: string[] };
    tampered.path[0] = '00'.repeat(32);
    writeFileSync(inclusion, JSON.stringify(tampered));
    expect(await muster(['ledger', 'check-proof', '--pubkey', pub, inclusion])).toMatchObject({
      code: 1,
      stdout: 'INVALID: inclusion path does not lead to the checkpoint root\n',
    });
    const other = await kiosk(1);
    expect((await muster(['ledger', 'check-proof', '--pubkey', other.pub, consistency])).stdout).toMatch(
      /^INVALID: .*not signed by any trusted key/,
    );
    writeFileSync(inclusion, '{"kind":"inclusion"');
    expect((await muster(['ledger', 'check-proof', '--pubkey', pub, inclusion])).stderr).toMatch(/cannot read proof/);
  });

  it('export writes a file another store imports and verifies with only the public key', async () => {
    const { dir, db, pub } = await kiosk(30);
    const held = join(dir, 'held.note');
    writeFileSync(held, (await muster(['ledger', 'checkpoint', '--db', db])).stdout);
    const file = join(dir, 'log.jsonl');
    expect(await muster(['ledger', 'export', '--db', db, '--out', file])).toMatchObject({
      code: 0,
      stdout: `exported 31 entries of center-01/kiosk-1 to ${file}\n`,
    });
    const elsewhere = join(tempDir(), 'hq.db');
    const imported = await muster(['ledger', 'import', '--db', elsewhere, '--pubkey', pub, file]);
    expect(imported.stdout).toBe(
      'imported 31 entries of center-01/kiosk-1 (0 already present), 1 checkpoints; log has 31 entries\n',
    );
    expect((await muster(['ledger', 'import', '--db', elsewhere, '--pubkey', pub, file])).stdout).toMatch(
      /imported 0 entries .*\(31 already present\)/,
    );
    expect(
      (await muster(['ledger', 'verify', '--db', elsewhere, '--pubkey', pub, '--checkpoint', held])).stdout,
    ).toMatch(/^ok 31 entries/);

    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = lines[5]?.replace(/"entry":"(.)/, (_m, c: string) => `"entry":"${c === 'A' ? 'B' : 'A'}`) ?? '';
    const forged = join(dir, 'forged.jsonl');
    writeFileSync(forged, lines.join('\n'));
    const refused = await muster(['ledger', 'import', '--db', join(tempDir(), 'x.db'), '--pubkey', pub, forged]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/entry|CBOR/);
    expect(
      (await muster(['ledger', 'import', '--db', join(tempDir(), 'y.db'), '--pubkey', (await kiosk(0)).pub, file]))
        .stderr,
    ).toMatch(/not started by a trusted key/);
  });

  it('rotate-key signs the rotation with the old key and the .pub file verifies across it', async () => {
    const { dir, db, pub } = await kiosk(3);
    const rotated = await muster(['ledger', 'rotate-key', '--db', db]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^4 [0-9a-f]{64}\n/);
    expect(
      (await muster(['ledger', 'append', '--db', db, '--type', 'checkin'], `${checkin('after')}\n`)).stdout,
    ).toMatch(/^5 /);
    expect(readFileSync(pub, 'utf8').trim().split('\n')).toHaveLength(2);
    expect((await muster(['ledger', 'verify', '--db', db, '--pubkey', pub])).stdout).toMatch(/^ok 6 entries/);
    const proof = join(dir, 'p.json');
    writeFileSync(proof, (await muster(['ledger', 'prove', '--db', db, '--seq', '2'])).stdout);
    expect((await muster(['ledger', 'check-proof', '--pubkey', pub, proof])).code).toBe(0);
  });

  it('refuses a missing, unreadable or world-readable key with a clear error', async () => {
    const { db } = await kiosk(1);
    chmodSync(`${db}.key`, 0o644);
    expect((await muster(['ledger', 'append', '--db', db, '--type', 'checkin'], '{}\n')).stderr).toMatch(
      /readable by others \(mode 644\); chmod 600 it/,
    );
    rmSync(`${db}.key`);
    const missing = await muster(['ledger', 'append', '--db', db, '--type', 'checkin'], '{}\n');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/cannot read key file .*k\.db\.key/);
  });

  it.each([
    [['ledger', 'init', '--db', 'x.db'], /--origin is required/],
    [['ledger', 'append', '--db', 'x.db', '--type', 'party'], /unknown entry type "party"/],
    [['ledger', 'prove', '--db', 'x.db'], /exactly one of --seq N and --from SIZE/],
    [
      ['ledger', 'prove', '--db', 'x.db', '--seq', '1e3'],
      /^muster ledger prove: --seq: expected a non-negative integer, got "1e3" \(see/,
    ],
    [['ledger', 'verify', '--db', 'x.db', '--workers', 'two'], /--workers: expected a non-negative integer, got "two"/],
    [['ledger', 'verify', '--db', 'x.db', '--checkpoint', ''], /--checkpoint: needs a value, got \[""\]/],
    [['ledger', 'export', '--db', '', '--out', 'y'], /--db is required/],
    [['ledger', 'prove', '--db', 'x.db', '--seq', '-1'], /--seq/],
    [['ledger', 'verify', '--db', 'x.db', '--bogus'], /Unknown option '--bogus'/],
    [['ledger', 'check-proof', '--pubkey', 'k'], /expected 1 argument, got 0/],
    [['ledger', 'frobnicate'], /unknown command "ledger frobnicate"/],
    [['ledger', 'frobnicate', '--help'], /unknown command "ledger frobnicate"/],
    [['frobnicate', 'export', '--help'], /unknown command "frobnicate export"/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--bogus'], /unknown option "--bogus"/],
  ])('answers bad arguments %j with one line and exit 2', async (args, message) => {
    const run = await muster(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('has --help for every command', async () => {
    for (const command of COMMANDS) {
      const run = await muster([...command.path, '--help']);
      expect(run.code, command.path.join(' ')).toBe(0);
      expect(run.stdout).toContain(`Usage: muster ${command.usage}`);
    }
    expect((await muster(['--help'])).stdout).toMatch(/ledger verify/);
  });

  it('the command in a process of its own reports a damaged store in one line, exit 1, no stack trace', async () => {
    const dir = tempDir();
    const db = join(dir, 'junk.db');
    writeFileSync(db, 'this is not a database'.repeat(100));
    const result = await promisify(execFile)(process.execPath, [
      ...MUSTER_FROM_SOURCES,
      'ledger',
      'verify',
      '--db',
      db,
    ]).catch((e: unknown) => e as { code: number; stderr: string; stdout: string });
    expect(result).toMatchObject({ code: 1 });
    const stderr = (result as { stderr: string }).stderr;
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^muster ledger verify: .*not a readable Muster log|cannot open/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
