// The registry's records (kiosk and witness registrations, key revocations) as their schemas read them: the keys
// renamed, the cross-field rules, the field named on a refusal, and fields they do not know let through (a later
// field must never make a reader drop a revocation).
import { describe, expect, it } from 'vitest';
import { MusterError } from '../../core/errors.ts';
import {
  parseRegistration,
  parseRevocation,
  parseWitnessRegistration,
  registryWitnesses,
} from '../../core/records/registry-records.ts';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MusterError && error.code === 'bad-record') return error.message;
    throw error;
  }
  throw new Error('accepted');
}

const KEY = new Uint8Array(32).fill(1);
const WITNESS = new Uint8Array(32).fill(2);

describe('registry records', () => {
  it('reads a kiosk registration: its key, staff log flag and witness key', () => {
    expect(parseRegistration({ origin: 'c1/k1', centre: 'c1', key: KEY })).toEqual({
      origin: 'c1/k1',
      centre: 'c1',
      publicKey: KEY,
      staffLog: false,
    });
    expect(
      parseRegistration({ origin: 'c1/k1', centre: 'c1', key: KEY, staffLog: true, witness: WITNESS, later: 1 }),
    ).toEqual({ origin: 'c1/k1', centre: 'c1', publicKey: KEY, staffLog: true, witnessKey: WITNESS });
  });

  it.each([
    ['a key of 31 bytes', { origin: 'c1/k1', centre: 'c1', key: KEY.subarray(1) }, 'kiosk-registration.key: '],
    ['a key as text', { origin: 'c1/k1', centre: 'c1', key: 'ab' }, 'kiosk-registration.key: '],
    ['no centre', { origin: 'c1/k1', key: KEY }, 'kiosk-registration.centre: '],
    ['another centre', { origin: 'c2/k1', centre: 'c1', key: KEY }, 'kiosk-registration.origin: '],
    ['the registry', { origin: 'hq/registry', centre: 'hq', key: KEY }, 'kiosk-registration.origin: '],
    ['staffLog false', { origin: 'c1/k1', centre: 'c1', key: KEY, staffLog: false }, 'kiosk-registration.staffLog: '],
    ['a short witness', { origin: 'c1/k1', centre: 'c1', key: KEY, witness: KEY.subarray(2) }, '.witness: '],
  ])('refuses a registration with %s, naming the field', (_name, payload, fragment) => {
    expect(message(() => parseRegistration(payload))).toContain(fragment);
  });

  it('reads a witness registration, refusing a name with a space or the registry', () => {
    expect(parseWitnessRegistration({ witness: 'hq', key: KEY })).toEqual({ name: 'hq', publicKey: KEY });
    expect(message(() => parseWitnessRegistration({ witness: 'a b', key: KEY }))).toContain(
      'witness-registration.witness: ',
    );
    expect(message(() => parseWitnessRegistration({ witness: 'hq/registry', key: KEY }))).toContain(
      'witness-registration.witness: is the registry itself',
    );
  });

  it('reads a revocation with its reason, refusing one without a key or with a negative seq', () => {
    expect(parseRevocation({ origin: 'c1/k1', key: KEY, fromSeq: 7, reason: 'kiosk stolen' })).toEqual({
      origin: 'c1/k1',
      publicKey: KEY,
      fromSeq: 7,
    });
    expect(message(() => parseRevocation({ origin: 'c1/k1', note: 'names no key' }))).toContain('key-revocation.key: ');
    expect(message(() => parseRevocation({ origin: 'c1/k1', key: KEY, fromSeq: -1 }))).toContain(
      'key-revocation.fromSeq: ',
    );
    expect(message(() => parseRevocation({ origin: 'c1/k1', key: KEY, fromSeq: 1.5 }))).toContain(
      'key-revocation.fromSeq: ',
    );
  });

  it('binds witnesses in order: a later registration without a witness unbinds it, malformed entries bind nothing', () => {
    const bound = registryWitnesses([
      { type: 'kiosk-registration', payload: { origin: 'c1/k1', centre: 'c1', key: KEY, witness: WITNESS } },
      { type: 'kiosk-registration', payload: { origin: 'c1/k2', centre: 'c1', key: KEY, witness: WITNESS } },
      { type: 'kiosk-registration', payload: { origin: 'c1/k2', centre: 'c1', key: KEY } },
      { type: 'witness-registration', payload: { witness: 'agency', key: KEY } },
      { type: 'witness-registration', payload: { witness: 'bad name', key: KEY } },
    ]);
    expect([...bound.keys()].sort()).toEqual(['agency', 'c1/k1']);
  });
});
