// The calibration pair list: one pair per line, `image_a,image_b,label`, label same|different (also 1|0,
// genuine|impostor). Paths are relative to the CSV file. '#' starts a comment; a header line is allowed.
import { isAbsolute, join } from 'node:path';
import { MusterError } from '../core/errors.ts';

export interface LabelledPair {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
}

const SAME = new Set(['same', '1', 'genuine', 'true']);
const DIFFERENT = new Set(['different', '0', 'impostor', 'false']);

export function parsePairsCsv(text: string, baseDirectory: string): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  let first = true;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(',').map((f) => f.trim());
    const [a, b, label] = fields;
    const header =
      first && label !== undefined && !SAME.has(label.toLowerCase()) && !DIFFERENT.has(label.toLowerCase());
    first = false;
    if (header) return;
    if (fields.length !== 3 || !a || !b || label === undefined) throw bad(index, 'expected image_a,image_b,label');
    const lower = label.toLowerCase();
    if (!SAME.has(lower) && !DIFFERENT.has(lower))
      throw bad(index, `label must be same or different, got ${JSON.stringify(label)}`);
    const resolve = (path: string): string => (isAbsolute(path) ? path : join(baseDirectory, path));
    pairs.push({ a: resolve(a), b: resolve(b), same: SAME.has(lower) });
  });
  if (pairs.length === 0) throw new MusterError('pairs-empty', 'the pair list has no pairs');
  return pairs;
}

function bad(index: number, message: string): MusterError {
  return new MusterError('pairs-malformed', `pair list line ${index + 1}: ${message}`);
}
