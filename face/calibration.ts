// Threshold calibration: FAR and FRR over a sweep of thresholds from labelled pair distances, and an
// operating point. Muster's errors are not symmetric: a false accept lets someone check in for another
// person; a false reject sends the person to staff. So the point is the loosest threshold whose FAR stays
// within a target, not the equal-error rate (which is reported beside it).
import { badArgument } from '../core/errors.ts';

export interface ScoredPair {
  readonly distance: number;
  readonly same: boolean;
}

export interface RatePoint {
  readonly threshold: number;
  /** Impostor pairs accepted (distance < threshold) / impostor pairs. */
  readonly far: number;
  /** Genuine pairs rejected (distance >= threshold) / genuine pairs. */
  readonly frr: number;
}

export interface Calibration {
  readonly genuine: number;
  readonly impostor: number;
  readonly sweep: readonly RatePoint[];
  /** Loosest threshold with FAR <= targetFar. */
  readonly operatingPoint: RatePoint;
  readonly targetFar: number;
  readonly equalError: RatePoint;
  /**
   * With zero false accepts in n impostor pairs, FAR is only known to be below about 3/n (95%, rule of
   * three): the resolution this pair set allows.
   */
  readonly farResolution: number;
  readonly genuineDistances: { readonly min: number; readonly max: number };
  readonly impostorDistances: { readonly min: number; readonly max: number };
}

export const DEFAULT_TARGET_FAR = 0.001;

export function ratesAt(pairs: readonly ScoredPair[], threshold: number): RatePoint {
  let genuine = 0;
  let impostor = 0;
  let falseRejects = 0;
  let falseAccepts = 0;
  for (const p of pairs) {
    if (p.same) {
      genuine++;
      if (p.distance >= threshold) falseRejects++;
    } else {
      impostor++;
      if (p.distance < threshold) falseAccepts++;
    }
  }
  return { threshold, far: impostor ? falseAccepts / impostor : 0, frr: genuine ? falseRejects / genuine : 0 };
}

export function calibrate(pairs: readonly ScoredPair[], targetFar: number = DEFAULT_TARGET_FAR): Calibration {
  const genuine = pairs.filter((p) => p.same);
  const impostor = pairs.filter((p) => !p.same);
  if (genuine.length === 0 || impostor.length === 0)
    badArgument('pairs', 'at least one genuine and one impostor pair', pairs.length);
  const sweep: RatePoint[] = [];
  for (let t = 20; t <= 90; t++) sweep.push(ratesAt(pairs, t / 100));
  const within = sweep.filter((p) => p.far <= targetFar);
  const first = sweep[0] as RatePoint;
  const operatingPoint = within.length ? (within[within.length - 1] as RatePoint) : first;
  const equalError = sweep.reduce(
    (best, p) => (Math.abs(p.far - p.frr) < Math.abs(best.far - best.frr) ? p : best),
    first,
  );
  const range = (list: readonly ScoredPair[]): { min: number; max: number } => ({
    min: Math.min(...list.map((p) => p.distance)),
    max: Math.max(...list.map((p) => p.distance)),
  });
  return {
    genuine: genuine.length,
    impostor: impostor.length,
    sweep,
    operatingPoint,
    targetFar,
    equalError,
    farResolution: Math.min(1, 3 / impostor.length),
    genuineDistances: range(genuine),
    impostorDistances: range(impostor),
  };
}
