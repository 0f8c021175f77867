// How the staff screen and the dashboard show a roster state or a finding: an icon and a word, never colour alone.
import type { RosterState } from '../core/api/staff-api.ts';

export const STATE_LABEL: { readonly [S in RosterState]: { readonly icon: string; readonly text: string } } = {
  'checked-in': { icon: '✅', text: 'Checked in' },
  expected: { icon: '⏳', text: 'Expected' },
  late: { icon: '🕒', text: 'Late' },
  breached: { icon: '⛔', text: 'Breached' },
  excused: { icon: '📝', text: 'Excused' },
  review: { icon: '🔎', text: 'Under review' },
};
