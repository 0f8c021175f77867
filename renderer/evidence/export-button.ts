// "Export evidence" beside a breach or a check-in, on the staff screen and the HQ dashboard: asks the server for
// the evidence bundle of that person's day (the export is logged there first) and saves it as a file, which
// `muster evidence verify` or the static verifier page checks offline.
import type { MusterApi } from '../../core/api/api.ts';
import type { FindingView } from '../../core/api/staff-api.ts';
import { RULE_IDS, type RuleId } from '../../core/breach/rule-ids.ts';
import { zonedDay } from '../../core/time/zoned-time.ts';
import { formatDay } from '../../core/time/civil-day.ts';
import { button, download, h } from '../dom.ts';
import { w } from '../screen-words.ts';

export type EvidenceMethod = 'staff.exportEvidence' | 'hq.exportEvidence';

export interface EvidenceTarget {
  readonly subject: string;
  /** The person's local day, YYYY-MM-DD. */
  readonly day: string;
  /** A breach's rule; none for a check-in (the whole day). */
  readonly rule?: RuleId;
}

/** What a screen needs to offer exports: which method its server serves, and how a failure is shown. */
export interface EvidenceExport {
  readonly api: MusterApi;
  readonly method: EvidenceMethod;
  readonly fail: (error: unknown) => void;
}

export function evidenceButton(x: EvidenceExport, target: EvidenceTarget): HTMLElement {
  const status = h('span', { role: 'status', class: 'evidence-status' });
  const key = [target.subject, target.day, ...(target.rule === undefined ? [] : [target.rule])].join('/');
  const go = button(
    w('exportEvidence'),
    '📦',
    () => {
      go.disabled = true;
      status.textContent = w('exporting');
      x.api
        .call(x.method, {
          subject: target.subject,
          day: target.day,
          ...(target.rule === undefined ? {} : { rule: target.rule }),
        })
        .then(
          (file) => {
            download(file.filename, 'application/json', file.bundle);
            status.textContent = w('evidenceSaved', { file: file.filename });
          },
          (error: unknown) => {
            status.textContent = '';
            x.fail(error);
          },
        )
        .finally(() => {
          go.disabled = false;
        });
    },
    { 'class': 'evidence', 'data-evidence': key },
  );
  return h('span', { class: 'evidence-export' }, go, ' ', status);
}

/** A breach's export: its person, day and rule. */
export function breachTarget(f: FindingView): EvidenceTarget {
  return {
    subject: f.subject,
    day: f.day,
    ...((RULE_IDS as readonly string[]).includes(f.rule) ? { rule: f.rule as RuleId } : {}),
  };
}

/** The local day a check-in at `at` counts for in `zone`. */
export function dayOf(at: number, zone: string): string {
  return formatDay(zonedDay(at, zone));
}
