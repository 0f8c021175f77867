// What is wrong with a log's first entry that failed verification, as a code a screen can explain in its own
// words (the reason beside it is English detail for the record): every reader withholds the entry and those
// after it whatever the kind; the kind says what an officer should suspect.
export type ProblemKind =
  /** The registry log does not start with the registry key this node trusts: no registration or revocation in it counts. */
  | 'registry-refused'
  /** The log is not signed by the key the registry binds to it, or the registry does not list it. */
  | 'unregistered-key'
  /** Signed by a key the registry revoked, from the revocation's entry on. */
  | 'revoked-key'
  /** A signature that does not verify, or one made with a key not in force: not what the kiosk signed. */
  | 'forged'
  /** Stored rows that do not match the signed entries: edited, deleted, moved or swapped. */
  | 'tampered'
  /** Fewer entries than were verified before: rows deleted from the end, or the log rolled back. */
  | 'rolled-back'
  /** An entry verified and used before was changed at rest since: what was read from it on is withdrawn. */
  | 'changed'
  /** An entry its own signer made wrongly (not decodable, a key entry without a key): nothing to judge from. */
  | 'invalid';

/** A failed check: its kind and, in English, what exactly failed. */
export interface KindedFailure {
  readonly kind: ProblemKind;
  readonly reason: string;
}
