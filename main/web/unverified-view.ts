// What the staff and HQ screens show when the store holds entries that failed verification: every finding such
// an entry could have changed carries the problem in place of its verdict (status `unverified`, the failing log
// and seq as its detail), and a roster row holding one asks staff to look instead of showing a state.
import type { FindingView, RosterRow } from '../../core/api/staff-api.ts';
import type { VerifyProblem } from '../../ledger/verified-reader.ts';
import { zonedInstant } from '../../core/time/zoned-time.ts';
import { doubtOver } from '../kiosk/log-records.ts';

export function findingsInDoubt(views: readonly FindingView[], problems: readonly VerifyProblem[]): FindingView[] {
  return views.map((view) => {
    const problem = doubtOver(view.at, problems);
    if (!problem) return view;
    return {
      ...view,
      status: 'unverified',
      detail: `not judged: entry ${problem.origin}#${problem.seq} failed verification (${problem.reason})`.slice(
        0,
        1000,
      ),
    };
  });
}

export function rowsInDoubt(rows: readonly RosterRow[], problems: readonly VerifyProblem[]): RosterRow[] {
  return rows.map((row) => {
    const breaches = findingsInDoubt(row.breaches, problems);
    const reviews = findingsInDoubt(row.reviews, problems);
    const doubted = [...breaches, ...reviews].some((f) => f.status === 'unverified');
    return doubted ? { ...row, state: 'review', breaches, reviews } : row;
  });
}

/** Whether a withheld entry could change a verdict of local `day` in `zone` (one reached by the day's last instant). */
export function dayInDoubt(day: number, zone: string, problems: readonly VerifyProblem[]): boolean {
  return doubtOver(zonedInstant(day + 1, 0, zone) - 1, problems) !== undefined;
}
