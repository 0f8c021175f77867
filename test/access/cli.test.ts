// `muster users|pii|kiosk` through the real dispatcher on temp files: secrets come on stdin, `pii show` needs a
// reason and leaves an access entry, erasure leaves an erasure entry and a log that verifies, and the registry
// commands write signed entries and the broker ACL.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CENTRE_KEY_NAME, FileSecretStore, dataKey } from '../../access/key-store.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { tempDir } from '../ledger/fixtures.ts';

const PASSWORD = 'a long enough password';

function types(path: string, origin: string): string[] {
  const store = LedgerStore.open(path, { readonly: true });
  try {
    return [...store.range(origin, 0, store.head(origin).size)].map((r) => decodeLeaf(r.leaf).body.type);
  } finally {
    store.close();
  }
}

describe('muster users / pii / kiosk', () => {
  it('manages users with passwords from stdin', async () => {
    const users = join(tempDir(), 'users.db');
    expect(
      await runMuster(['users', 'add', '--users', users, '--role', 'staff', '--centre', 'c1', 'sam'], `${PASSWORD}\n`),
    ).toMatchObject({ code: 0, stdout: 'added sam (staff)\n' });
    expect((await runMuster(['users', 'add', '--users', users, '--role', 'janitor', 'x'], `${PASSWORD}\n`)).code).toBe(
      2,
    );
    expect((await runMuster(['users', 'add', '--users', users, '--role', 'officer', 'olu'], '')).code).toBe(2);
    expect(await runMuster(['users', 'add', '--users', users, '--role', 'officer', 'olu'], 'short\n')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('at least 12') as unknown,
    });
    expect((await runMuster(['users', 'lock', '--users', users, 'sam'])).stdout).toBe('locked sam\n');
    expect((await runMuster(['users', 'list', '--users', users])).stdout).toBe('sam\tstaff\tc1\tlocked\n');
    expect((await runMuster(['users', 'unlock', '--users', users, 'sam'])).code).toBe(0);
    expect((await runMuster(['users', 'list', '--users', users])).stdout).toBe('sam\tstaff\tc1\tactive\n');
  });

  it('muster pii uses the centre key a kiosk keeps (centre-key), never a stray one beside it', async () => {
    const dir = tempDir();
    const log = join(dir, 'kiosk.db');
    const keys = join(dir, 'secrets');
    // The kiosk made its centre key in its secret store (main/kiosk/kiosk-runtime.ts).
    const kioskKey = dataKey(new FileSecretStore(keys), CENTRE_KEY_NAME);
    expect((await runMuster(['ledger', 'init', '--db', log, '--origin', 'c1/k1'])).code).toBe(0);
    const put = await runMuster(
      [
        'pii',
        'put',
        '--db',
        join(dir, 'pii.db'),
        '--keys',
        keys,
        '--log',
        log,
        '--subject',
        'p-0001',
        '--centre',
        'c1',
      ],
      '{"name": "Jane Example"}',
    );
    expect(put.code).toBe(0);
    expect(readdirSync(keys).sort()).toEqual(['centre-key']);
    expect(dataKey(new FileSecretStore(keys), CENTRE_KEY_NAME)).toEqual(kioskKey);
  });

  it.each([
    ['a name that is a number', '{"name": 5}', 'stdin.name: expected text of 1-500 characters'],
    ['a field it does not know', '{"name": "Jane", "nickname": "J"}', 'stdin.nickname: unknown field'],
    ['a list', '["Jane"]', 'stdin: expected an object'],
    ['text that is not JSON', 'Jane', 'stdin is not JSON'],
  ])('refuses personal text with %s on stdin as a usage error, storing nothing', async (_name, input, message) => {
    const dir = tempDir();
    const log = join(dir, 'kiosk.db');
    expect((await runMuster(['ledger', 'init', '--db', log, '--origin', 'c1/k1'])).code).toBe(0);
    const put = await runMuster(
      [
        'pii',
        'put',
        '--db',
        join(dir, 'pii.db'),
        '--keys',
        join(dir, 'keys'),
        '--log',
        log,
        '--subject',
        'p-1',
        '--centre',
        'c1',
      ],
      input,
    );
    expect(put).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(message) as unknown });
    expect(types(log, 'c1/k1')).toEqual(['genesis']);
  });

  it('stores, shows (with a reason, leaving an access entry) and erases personal data', async () => {
    const dir = tempDir();
    const log = join(dir, 'kiosk.db');
    const users = join(dir, 'users.db');
    const store = ['--db', join(dir, 'pii.db'), '--keys', join(dir, 'keys'), '--log', log];
    expect((await runMuster(['ledger', 'init', '--db', log, '--origin', 'c1/k1'])).code).toBe(0);
    await runMuster(['users', 'add', '--users', users, '--role', 'staff', '--centre', 'c1', 'sam'], `${PASSWORD}\n`);
    await runMuster(['users', 'add', '--users', users, '--role', 'police', 'pia'], `${PASSWORD}\n`);
    const put = await runMuster(
      ['pii', 'put', ...store, '--subject', 'p-0001', '--centre', 'c1'],
      '{"name": "Jane Example", "idNumber": "AB123"}',
    );
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^name\t[0-9a-f]{64}\nidNumber\t[0-9a-f]{64}\n$/);

    const show = ['pii', 'show', ...store, '--users', users, '--subject', 'p-0001'];
    expect((await runMuster([...show, '--as', 'sam'], `${PASSWORD}\n`)).code).toBe(2);
    expect(await runMuster([...show, '--as', 'sam', '--reason', 'desk check'], `${PASSWORD}\n`)).toMatchObject({
      code: 0,
      stdout: 'name\tJane Example\nidNumber\tAB123\n',
    });
    expect(
      await runMuster([...show, '--as', 'pia', '--reason', 'x', '--field', 'faceTemplate'], `${PASSWORD}\n`),
    ).toMatchObject({ code: 1, stderr: expect.stringContaining('may not read-biometrics') as unknown });
    expect(await runMuster([...show, '--as', 'sam', '--reason', 'x'], 'wrong password!\n')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('wrong user name or password') as unknown,
    });
    expect(types(log, 'c1/k1')).toEqual(['genesis', 'access']);

    expect(await runMuster(['pii', 'erase', ...store, '--subject', 'p-0001', '--by', 'sam'])).toMatchObject({
      code: 0,
      stdout: 'erased p-0001; erasure entry 2\n',
    });
    expect(types(log, 'c1/k1')).toEqual(['genesis', 'access', 'erasure']);
    expect((await runMuster(['ledger', 'verify', '--db', log])).code).toBe(0);
  });

  it('provisions a kiosk, revokes its key and writes the broker ACL from the registry', async () => {
    const dir = tempDir();
    const registry = join(dir, 'registry.db');
    const kiosk = join(dir, 'k1.db');
    await runMuster(['ledger', 'init', '--db', registry, '--origin', 'hq/registry']);
    await runMuster(['ledger', 'init', '--db', kiosk, '--origin', 'c1/k1']);
    const provisioned = await runMuster([
      'kiosk',
      'provision',
      '--registry',
      registry,
      '--origin',
      'c1/k1',
      '--pub',
      `${kiosk}.key.pub`,
      '--passwords',
      join(dir, 'passwd'),
    ]);
    expect(provisioned.code).toBe(0);
    expect(provisioned.stdout).toMatch(/^registered c1\/k1 \(entry 1\)\nbroker password for c1\/k1: \S{32}\n$/);
    expect(readFileSync(join(dir, 'passwd'), 'utf8')).toMatch(/^c1~k1:\$7\$20000\$/);
    expect(
      (
        await runMuster([
          'kiosk',
          'provision',
          '--registry',
          registry,
          '--origin',
          'c1/k2',
          '--pub',
          `${kiosk}.key.pub`,
        ])
      ).stderr,
    ).toContain('not c1/k2');
    // The wrong kiosk, or another kiosk's key: refused, nothing written (a revocation that looks done but is not).
    expect(
      (
        await runMuster([
          'kiosk',
          'revoke',
          '--registry',
          registry,
          '--origin',
          'c1/k9',
          '--pub',
          `${kiosk}.key.pub`,
          '--from',
          '7',
          '--reason',
          'stolen',
        ])
      ).stderr,
    ).toContain('c1/k9 is not a kiosk registered');
    await runMuster(['ledger', 'init', '--db', join(dir, 'other.db'), '--origin', 'c2/k1']);
    const otherKey = await runMuster([
      'kiosk',
      'revoke',
      '--registry',
      registry,
      '--origin',
      'c1/k1',
      '--pub',
      join(dir, 'other.db.key.pub'),
      '--from',
      '7',
      '--reason',
      'stolen',
    ]);
    expect(otherKey).toMatchObject({ code: 1, stderr: expect.stringContaining('not a key of c1/k1') as unknown });
    expect(types(registry, 'hq/registry')).toEqual(['genesis', 'kiosk-registration']);
    expect(
      await runMuster([
        'kiosk',
        'revoke',
        '--registry',
        registry,
        '--origin',
        'c1/k1',
        '--pub',
        `${kiosk}.key.pub`,
        '--from',
        '7',
        '--reason',
        'stolen',
      ]),
    ).toMatchObject({ code: 0 });
    expect(
      (
        await runMuster([
          'kiosk',
          'revoke',
          '--registry',
          kiosk,
          '--origin',
          'c1/k1',
          '--pub',
          `${kiosk}.key.pub`,
          '--from',
          '7',
          '--reason',
          'x',
        ])
      ).stderr,
    ).toContain('not the registry log');
    expect(types(registry, 'hq/registry')).toEqual(['genesis', 'kiosk-registration', 'key-revocation']);
    expect((await runMuster(['kiosk', 'acl', '--registry', registry, '--out', join(dir, 'acl')])).stdout).toBe(
      'wrote the ACL for 1 nodes\n',
    );
    expect(readFileSync(join(dir, 'acl'), 'utf8')).not.toContain('c1~k1');
    await runMuster(['ledger', 'init', '--db', join(dir, 'k2.db'), '--origin', 'c1/k2']);
    await runMuster([
      'kiosk',
      'provision',
      '--registry',
      registry,
      '--origin',
      'c1/k2',
      '--pub',
      join(dir, 'k2.db.key.pub'),
    ]);
    expect((await runMuster(['kiosk', 'acl', '--registry', registry, '--out', join(dir, 'acl')])).stdout).toBe(
      'wrote the ACL for 2 nodes\n',
    );
    const acl = readFileSync(join(dir, 'acl'), 'utf8');
    expect(acl).toContain('user c1~k2\ntopic write muster/v1/log/c1~k2/entries\n');
    expect(acl).toContain('user hq\ntopic write muster/v1/log/hq/entries\n');

    // A key the kiosk rotated to (the last line of its .pub file after ledger rotate-key) is revocable once a
    // store holding the kiosk's log shows the rotation; without one it is refused like any unknown key.
    await runMuster(['ledger', 'init', '--db', join(dir, 'k3.db'), '--origin', 'c1/k3']);
    await runMuster([
      'kiosk',
      'provision',
      '--registry',
      registry,
      '--origin',
      'c1/k3',
      '--pub',
      join(dir, 'k3.db.key.pub'),
    ]);
    expect((await runMuster(['ledger', 'rotate-key', '--db', join(dir, 'k3.db')])).code).toBe(0);
    const revokeRotated = [
      'kiosk',
      'revoke',
      '--registry',
      registry,
      '--origin',
      'c1/k3',
      '--pub',
      join(dir, 'k3.db.key.pub'),
      '--from',
      '9',
      '--reason',
      'stolen',
    ];
    expect((await runMuster(revokeRotated)).stderr).toContain('name a store holding its log with --log');
    expect(await runMuster([...revokeRotated, '--log', join(dir, 'k3.db')])).toMatchObject({ code: 0 });
    expect(types(registry, 'hq/registry').filter((t) => t === 'key-revocation')).toHaveLength(2);
  });
});
