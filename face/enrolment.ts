// Enrolment: at least three usable captures of one person become a template. Captures that fail the gate
// are reported with their guidance; captures that disagree with each other stop the enrolment, because a
// template mixing two people would let either of them check in.
import { MusterError } from '../core/errors.ts';
import type { FrameInput } from './analysis.ts';
import { type Capture, capture } from './capture.ts';
import type { FaceService } from './face-service.ts';
import { descriptorDistance } from './match.ts';
import { DEFAULT_QUALITY_LIMITS, type QualityLimits } from './quality.ts';
import { type FaceTemplate, MIN_ENROLMENT_CAPTURES, createTemplate } from './template.ts';

export interface Enrolment {
  readonly template: FaceTemplate;
  /** Per input, in order: what the gate made of it. */
  readonly captures: readonly Capture[];
}

export async function enrol(
  service: FaceService,
  subjectId: string,
  inputs: readonly FrameInput[],
  threshold: number,
  limits: QualityLimits = DEFAULT_QUALITY_LIMITS,
): Promise<Enrolment> {
  const captures: Capture[] = [];
  for (const input of inputs) captures.push(await capture(service, input, limits));
  return { template: templateFromCaptures(subjectId, captures, threshold), captures };
}

/**
 * Eyes whose lids are closer than this over the eye's width (face/eyelids.ts: about 0.2-0.3 open, under 0.1 shut)
 * are shut for enrolment. On the face-frr bench the one face enrolled with its eyes nearly shut (0.08-0.10; every
 * other enrolment capture read 0.15 or more) accepted an impostor.
 */
export const MIN_ENROLMENT_EYE_OPENING = 0.1;

/**
 * The enrolment rule on captures already gated (the face-frr bench enrols from cached analyses through it):
 * at least MIN_ENROLMENT_CAPTURES usable ones, every two of them closer than the threshold. A capture that the
 * gate passes as marginal for darkness, or with the eyes shut, matches but does not enrol: staff can turn on a
 * light or ask for open eyes, and a template is compared with every later capture.
 */
export function templateFromCaptures(subjectId: string, captures: readonly Capture[], threshold: number): FaceTemplate {
  const refusal = (c: Capture): string | undefined => {
    if (c.kind === 'unusable') return `${c.reason} (${c.detail})`;
    const { brightness, eyeAspectRatio } = c.face.measures;
    if (c.marginal === 'too-dark') return `too dark to enrol from (face brightness ${Math.round(brightness)})`;
    // Measured where the engine runs the iris model (every engine but a kiosk's without the blink challenge).
    if (eyeAspectRatio !== undefined && eyeAspectRatio < MIN_ENROLMENT_EYE_OPENING)
      return `eyes shut (lid gap ${eyeAspectRatio.toFixed(2)})`;
    return undefined;
  };
  const descriptors = captures.flatMap((c) => (c.kind === 'usable' && !refusal(c) ? [c.face.descriptor] : []));
  if (descriptors.length < MIN_ENROLMENT_CAPTURES) {
    const reasons = captures.flatMap((c, i) => {
      const why = refusal(c);
      return why ? [`capture ${i + 1}: ${why}`] : [];
    });
    throw new MusterError(
      'enrolment-too-few-captures',
      `enrolment needs ${MIN_ENROLMENT_CAPTURES} usable captures, got ${descriptors.length}${reasons.length ? `; ${reasons.join('; ')}` : ''}`,
    );
  }
  for (let i = 0; i < descriptors.length; i++) {
    for (let j = i + 1; j < descriptors.length; j++) {
      const distance = descriptorDistance(descriptors[i] as Float32Array, descriptors[j] as Float32Array);
      if (distance >= threshold) {
        throw new MusterError(
          'enrolment-inconsistent',
          `usable captures ${i + 1} and ${j + 1} do not look like the same person (distance ${distance.toFixed(3)})`,
        );
      }
    }
  }
  return createTemplate(subjectId, descriptors);
}
