// The enrolment rule (face/enrolment.ts templateFromCaptures), which the kiosk's enrolment and the face-frr
// bench share: at least three usable captures, every two of them closer than the threshold.
import { describe, expect, it } from 'vitest';
import { MusterError } from '../../core/errors.ts';
import { MIN_ENROLMENT_EYE_OPENING, templateFromCaptures } from '../../face/enrolment.ts';
import { NO_FACE, at, usableCapture } from './observations.ts';

describe('the enrolment rule', () => {
  it('makes a template of the usable captures only, in their order', () => {
    const template = templateFromCaptures(
      'p-1',
      [usableCapture(at(0)), NO_FACE, usableCapture(at(0.25)), usableCapture(at(0.5))],
      0.57,
    );
    expect(template.subjectId).toBe('p-1');
    expect(template.descriptors.map((d) => d[0])).toEqual([0, 0.25, 0.5]);
  });

  it('refuses fewer than three usable captures, naming why the others were refused', () => {
    const error = refusal(() =>
      templateFromCaptures('p-1', [usableCapture(at(0)), NO_FACE, usableCapture(at(0.25))], 0.57),
    );
    expect(error.code).toBe('enrolment-too-few-captures');
    expect(error.message).toMatch(/got 2; capture 2: no-face/);
  });

  it('does not enrol from a face too dark to reject with, and says so', () => {
    const dim = { ...usableCapture(at(0.125)), marginal: 'too-dark' as const };
    const error = refusal(() =>
      templateFromCaptures('p-1', [usableCapture(at(0)), dim, usableCapture(at(0.25))], 0.57),
    );
    expect(error.code).toBe('enrolment-too-few-captures');
    expect(error.message).toMatch(/got 2; capture 2: too dark to enrol from \(face brightness 120\)/);
    // A small (marginal) face still enrols, as before.
    const small = { ...usableCapture(at(0.125)), marginal: 'face-too-small' as const };
    expect(
      templateFromCaptures('p-1', [usableCapture(at(0)), small, usableCapture(at(0.25))], 0.57).descriptors,
    ).toHaveLength(3);
  });

  it('does not enrol from a face with its eyes shut', () => {
    const shut = usableCapture(at(0.125));
    const closed = { ...shut, face: { ...shut.face, measures: { ...shut.face.measures, eyeAspectRatio: 0.09 } } };
    const error = refusal(() =>
      templateFromCaptures('p-1', [usableCapture(at(0)), closed, usableCapture(at(0.25))], 0.57),
    );
    expect(error.message).toMatch(/got 2; capture 2: eyes shut \(lid gap 0\.09\)/);
    const open = {
      ...shut,
      face: { ...shut.face, measures: { ...shut.face.measures, eyeAspectRatio: MIN_ENROLMENT_EYE_OPENING } },
    };
    expect(
      templateFromCaptures('p-1', [usableCapture(at(0)), open, usableCapture(at(0.25))], 0.57).descriptors,
    ).toHaveLength(3);
    // An engine that does not measure the eyes (a kiosk without the blink challenge) enrols as before.
    const { eyeAspectRatio: _unmeasured, ...measures } = shut.face.measures;
    const unmeasured = { ...shut, face: { ...shut.face, measures } };
    expect(
      templateFromCaptures('p-1', [usableCapture(at(0)), unmeasured, usableCapture(at(0.25))], 0.57).descriptors,
    ).toHaveLength(3);
  });

  it('refuses captures two of which are as far apart as the threshold: they may be two people', () => {
    const captures = [usableCapture(at(0)), usableCapture(at(0.25)), usableCapture(at(0.5))];
    const error = refusal(() => templateFromCaptures('p-1', captures, 0.5));
    expect(error.code).toBe('enrolment-inconsistent');
    expect(error.message).toMatch(/captures 1 and 3/);
    expect(templateFromCaptures('p-1', captures, 0.5 + 2 ** -10).descriptors).toHaveLength(3);
  });
});

function refusal(make: () => unknown): MusterError {
  try {
    make();
  } catch (error) {
    if (error instanceof MusterError) return error;
    throw error;
  }
  throw new Error('the enrolment was not refused');
}
