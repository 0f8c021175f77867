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
 * The enrolment rule on captures already gated (the face-frr bench enrols from cached analyses through it):
 * at least MIN_ENROLMENT_CAPTURES usable ones, every two of them closer than the threshold. A face the gate
 * passes as marginal for darkness matches but does not enrol: staff can turn on a light, and a template is
 * compared with every later capture.
 */
export function templateFromCaptures(subjectId: string, captures: readonly Capture[], threshold: number): FaceTemplate {
  const descriptors = captures.flatMap((c) =>
    c.kind === 'usable' && c.marginal !== 'too-dark' ? [c.face.descriptor] : [],
  );
  if (descriptors.length < MIN_ENROLMENT_CAPTURES) {
    const reasons = captures.flatMap((c, i) => {
      if (c.kind === 'unusable') return [`capture ${i + 1}: ${c.reason} (${c.detail})`];
      const brightness = Math.round(c.face.measures.brightness);
      return c.marginal === 'too-dark'
        ? [`capture ${i + 1}: too dark to enrol from (face brightness ${brightness})`]
        : [];
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
