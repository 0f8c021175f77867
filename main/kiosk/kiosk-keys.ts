// The kiosk's keys: the log's signing key, the witness key, and the key store that holds the centre data key
// (personal data) and the badge key. Owner-only files by default; Electron main passes safeStorage's store.
import { join } from 'node:path';
import {
  CENTRE_KEY_NAME,
  FileSecretStore,
  type SecretStore,
  adoptedSigningKey,
  dataKey,
} from '../../access/key-store.ts';
import { type Signer, loadOrCreateSigner } from '../../ledger/keys.ts';
import { topicId } from '../../net/topics.ts';
import { BADGE_KEY_NAME } from './enrolment-store.ts';
import type { KioskConfig } from './kiosk-config.ts';

export interface KioskKeys {
  readonly signer: Signer;
  readonly witness: Signer;
  /** Wraps the personal-data keys. */
  readonly centreKey: Uint8Array;
  /** Badge numbers are keyed hashes under this key, not beside the table. */
  readonly badgeKey: Uint8Array;
}

export function loadKioskKeys(config: KioskConfig, secrets: SecretStore | undefined): KioskKeys {
  const base = join(config.dataDir, topicId(config.kiosk));
  // With a secret store, key files from earlier runs move into it (the log keeps its key).
  const signer = secrets
    ? adoptedSigningKey(secrets, 'log-signing.key', config.kiosk, `${base}.db.key`)
    : loadOrCreateSigner(`${base}.db.key`, config.kiosk).signer;
  const witness = secrets
    ? adoptedSigningKey(secrets, 'witness-signing.key', config.kiosk, `${base}.db.witness.key`)
    : loadOrCreateSigner(`${base}.db.witness.key`, config.kiosk).signer;
  const keyStore = secrets ?? new FileSecretStore(join(config.dataDir, 'secrets'));
  return {
    signer,
    witness,
    centreKey: dataKey(keyStore, CENTRE_KEY_NAME),
    badgeKey: dataKey(keyStore, BADGE_KEY_NAME),
  };
}
