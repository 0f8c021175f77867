// Inclusion and consistency proofs are read by one schema (ledger/proofs.ts): a proof whose JSON does not fit is
// refused naming the field, before any hash or signature is looked at; genuine proofs still check.
import { describe, expect, it } from 'vitest';
import { buildConsistencyProof, buildInclusionProof, checkProof } from '../../ledger/proofs.ts';
import { appendCheckins, newLog } from './fixtures.ts';

const ORIGIN = 'center-01/kiosk-1';

async function proofs() {
  const log = newLog(ORIGIN);
  await appendCheckins(log.writer, 2);
  const old = log.writer.checkpoint();
  await appendCheckins(log.writer, 3);
  const checkpoint = log.writer.checkpoint();
  const inclusion = buildInclusionProof(log.store, ORIGIN, 1, checkpoint);
  const consistency = buildConsistencyProof(log.store, ORIGIN, old.size, checkpoint);
  log.store.close();
  return { inclusion, consistency, verifiers: [log.signer.verifier] };
}

describe('proof JSON', () => {
  it('checks genuine inclusion and consistency proofs', async () => {
    const { inclusion, consistency, verifiers } = await proofs();
    expect(checkProof(inclusion, verifiers)).toMatchObject({ ok: true });
    expect(checkProof(consistency, verifiers)).toMatchObject({ ok: true });
  });

  it.each<[string, (p: Record<string, unknown>) => unknown, string]>([
    ['not an object', () => 'proof', 'proof: expected an inclusion or consistency proof'],
    [
      'an unknown kind',
      (p) => ({ ...p, kind: 'membership' }),
      'proof.kind: expected an inclusion or consistency proof',
    ],
    ['a negative seq', (p) => ({ ...p, seq: -1 }), 'proof.seq: expected an integer'],
    [
      'a path hash in capitals',
      (p) => ({ ...p, path: ['AB'.repeat(32)] }),
      'proof.path[0]: expected a lowercase hex SHA-256',
    ],
    [
      'a path of 65 hashes',
      (p) => ({ ...p, path: Array(65).fill('ab'.repeat(32)) }),
      'proof.path: expected a list of at most 64',
    ],
    ['no checkpoint', ({ checkpoint: _, ...p }) => p, 'proof.checkpoint: expected text'],
    ['a field it does not know', (p) => ({ ...p, note: 'x' }), 'proof.note: unknown field'],
  ])('refuses an inclusion proof with %s, naming the field', async (_name, damage, reason) => {
    const { inclusion, verifiers } = await proofs();
    const result = checkProof(damage({ ...inclusion }), verifiers);
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it.each<[string, (p: Record<string, unknown>) => unknown, string]>([
    [
      'an old root that is no hash',
      (p) => ({ ...p, oldRoot: 'zz' }),
      'proof.oldRoot: expected a lowercase hex SHA-256',
    ],
    ['an old checkpoint that is not text', (p) => ({ ...p, oldCheckpoint: 5 }), 'proof.oldCheckpoint: expected text'],
    ['an inclusion field', (p) => ({ ...p, seq: 1 }), 'proof.seq: unknown field'],
  ])('refuses a consistency proof with %s, naming the field', async (_name, damage, reason) => {
    const { consistency, verifiers } = await proofs();
    const result = checkProof(damage({ ...consistency }), verifiers);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
