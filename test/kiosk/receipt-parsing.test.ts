// A receipt file (JSON) and its QR text are read by schemas (main/kiosk/receipt.ts): what does not fit is
// bad-receipt naming the field, never a crash or a proof taken on trust; a genuine receipt reads back the same in
// both forms.
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import { encodeCanonical } from '../../core/canonical.ts';
import { buildReceipt, parseReceipt, receiptToQrText } from '../../main/kiosk/receipt.ts';
import { appendCheckins, newLog } from '../ledger/fixtures.ts';

const ORIGIN = 'center-01/kiosk-1';

async function receipt() {
  const log = newLog(ORIGIN);
  await appendCheckins(log.writer, 3);
  const issued = buildReceipt(log.store, ORIGIN, 2, log.writer.checkpoint());
  log.store.close();
  return issued;
}

function qr(value: unknown): string {
  return `MR1:${toBase64(encodeCanonical(value as Parameters<typeof encodeCanonical>[0]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
}

function refusal(text: string): string {
  try {
    parseReceipt(text);
  } catch (error) {
    expect(error).toMatchObject({ code: 'bad-receipt' });
    return (error as Error).message;
  }
  throw new Error('the receipt was accepted');
}

describe('receipt files', () => {
  it('read back the same as JSON and as QR text', async () => {
    const r = await receipt();
    expect(parseReceipt(JSON.stringify(r))).toEqual(r);
    expect(parseReceipt(receiptToQrText(r, 'https://verify.example/'))).toEqual(r);
  });

  it.each<[string, (r: Record<string, unknown>) => unknown, string]>([
    ['another kind of file', () => ({ kind: 'something-else' }), 'receipt.v: not a version 1 Muster receipt'],
    ['version 2', (r) => ({ ...r, v: 2 }), 'receipt.v: not a version 1 Muster receipt'],
    ['a JSON list', () => [], 'receipt: expected an object'],
    ['keys that are not a list', (r) => ({ ...r, keys: 'k' }), 'receipt.keys: expected a list of at most 64'],
    ['no proof', (r) => ({ ...r, proof: null }), 'receipt.proof: expected an object'],
    [
      'a consistency proof',
      (r) => ({ ...r, proof: { ...(r.proof as object), kind: 'consistency' } }),
      'receipt.proof.kind: expected "inclusion"',
    ],
    [
      'a proof hash cut short',
      (r) => ({ ...r, proof: { ...(r.proof as object), leafHash: 'ab' } }),
      'receipt.proof.leafHash: expected a lowercase hex SHA-256',
    ],
  ])('refuses %s in the JSON form, naming the field', async (_name, damage, message) => {
    const r = await receipt();
    expect(refusal(JSON.stringify(damage({ ...r })))).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ['three fields', [new Uint8Array(4), [], 'note'], 'QR receipt: expected [entry, path, checkpoint, keys]'],
    ['a short path hash', [new Uint8Array(4), [new Uint8Array(31)], 'note', []], 'QR receipt[1][0]: expected 32 bytes'],
    ['a key as text', [new Uint8Array(4), [], 'note', ['key']], 'QR receipt[3][0]: expected 32 bytes'],
    ['a map', { entry: new Uint8Array(4) }, 'QR receipt: expected [entry, path, checkpoint, keys]'],
  ])('refuses QR text with %s, naming the field', (_name, value, message) => {
    expect(refusal(qr(value))).toBe(message);
  });
});
