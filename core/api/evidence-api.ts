// "Export evidence" on the staff screen and the HQ dashboard: an evidence bundle (core/evidence/bundle.ts) of one
// person's day, for a breach (its rule) or a check-in. The bundle holds every entry of the centre's kiosk logs in
// the reporting window (the absence of a check-in is proven by the whole run), so it needs the roster's access.
// Each export writes an `evidence-export` entry (who, whose day, the file's SHA-256) on the serving node's log
// before the file is handed out.
import { RULE_IDS } from '../breach/rule-ids.ts';
import { VERDICT_KINDS } from '../evidence/verdict.ts';
import { type Out, ident, int, obj, oneOf, text } from './check.ts';

const exportParams = obj({ subject: ident, day: text(10, 10) }, { rule: oneOf(RULE_IDS) });
export const evidenceFile = obj({
  filename: text(1, 120),
  /** The bundle file's text (JSON). A centre's day is a few hundred kilobytes. */
  bundle: text(1, 16_000_000),
  /** SHA-256 of `bundle` (UTF-8), as the access entry names it. */
  sha256: text(64, 64),
  verdict: oneOf(VERDICT_KINDS),
  /** Where the export was logged: the entry on the serving node's log. */
  logged: obj({ origin: ident, seq: int() }),
});

export const evidenceMethods = {
  'staff.exportEvidence': { access: 'read-roster', params: exportParams, result: evidenceFile },
  'hq.exportEvidence': { access: 'read-roster', params: exportParams, result: evidenceFile },
} as const;

export type EvidenceFile = Out<typeof evidenceFile>;
