import { describe, expect, it } from 'vitest';
import type { FrameAnalysis, QualityMeasures } from '../../face/analysis.ts';
import {
  DEFAULT_QUALITY_LIMITS,
  GUIDANCE,
  type UnusableReason,
  gateAnalysis,
  gateMeasures,
} from '../../face/quality.ts';

const GOOD: QualityMeasures = {
  detectionScore: 0.9,
  faceWidth: 180,
  edgeMargin: 0.4,
  brightness: 120,
  sharpness: 0.6,
  pose: { yaw: 0.02, pitch: 0.58, roll: 1 },
  eyeAspectRatio: 0.3,
};

describe('quality gate', () => {
  it('passes a frontal, sharp, well-lit, well-framed face', () => {
    expect(gateMeasures(GOOD)).toEqual({ ok: true });
  });

  it.each<[UnusableReason, Partial<QualityMeasures>]>([
    ['face-too-small', { faceWidth: 30 }],
    ['face-cut-off', { edgeMargin: -0.1 }],
    ['too-dark', { brightness: 30 }],
    ['too-bright', { brightness: 235 }],
    ['blurry', { sharpness: 0.05 }],
    ['not-frontal', { pose: { yaw: 0.6, pitch: 0.58, roll: 0 } }],
    ['not-frontal', { pose: { yaw: 0, pitch: 0.95, roll: 0 } }],
    ['not-frontal', { pose: { yaw: 0, pitch: 0.58, roll: 40 } }],
  ])('refuses with %s and says what to do', (reason, change) => {
    const result = gateMeasures({ ...GOOD, ...change });
    expect(result).toMatchObject({ ok: false, reason });
    expect(GUIDANCE[reason]).toMatch(/\w/);
  });

  it('asks the person to come closer before anything else', () => {
    expect(gateMeasures({ ...GOOD, faceWidth: 30, brightness: 10, sharpness: 0 })).toMatchObject({
      reason: 'face-too-small',
    });
    expect(GUIDANCE['face-too-small']).toMatch(/closer/i);
    expect(GUIDANCE['not-frontal']).toMatch(/look/i);
  });

  it('passes a small face as marginal: it may confirm a person, not reject one', () => {
    const { minFaceWidth, minRejectFaceWidth } = DEFAULT_QUALITY_LIMITS;
    expect(gateMeasures({ ...GOOD, faceWidth: minFaceWidth })).toEqual({ ok: true, marginal: 'face-too-small' });
    expect(gateMeasures({ ...GOOD, faceWidth: minRejectFaceWidth - 1 })).toEqual({
      ok: true,
      marginal: 'face-too-small',
    });
    expect(gateMeasures({ ...GOOD, faceWidth: minRejectFaceWidth })).toEqual({ ok: true });
  });

  it('passes a dim face as marginal down to a floor: "face the light" rather than a rejection', () => {
    const { minBrightness, minMarginalBrightness } = DEFAULT_QUALITY_LIMITS;
    expect(minMarginalBrightness).toBeLessThan(minBrightness);
    expect(gateMeasures({ ...GOOD, brightness: minMarginalBrightness })).toEqual({ ok: true, marginal: 'too-dark' });
    expect(gateMeasures({ ...GOOD, brightness: minBrightness - 0.5 })).toEqual({ ok: true, marginal: 'too-dark' });
    expect(gateMeasures({ ...GOOD, brightness: minBrightness })).toEqual({ ok: true });
    expect(gateMeasures({ ...GOOD, brightness: minMarginalBrightness - 0.5 })).toMatchObject({
      ok: false,
      reason: 'too-dark',
    });
    // Distance comes first: a small dim face is asked to come closer.
    expect(gateMeasures({ ...GOOD, faceWidth: 40, brightness: minMarginalBrightness })).toEqual({
      ok: true,
      marginal: 'face-too-small',
    });
    // Still only a usable face: a dim, blurred one is refused as blurred.
    expect(gateMeasures({ ...GOOD, brightness: minMarginalBrightness, sharpness: 0.01 })).toMatchObject({
      reason: 'blurry',
    });
  });

  it('counts faces before measuring one', () => {
    const analysis = (faceCount: number): FrameAnalysis => ({
      source: { width: 640, height: 480 },
      analysed: { width: 640, height: 480 },
      faceCount,
      boxes: [],
      decodeMs: 0,
      inferenceMs: 0,
      stagesMs: { detect: 0, landmarks: 0, descriptor: 0, liveness: 0 },
    });
    expect(gateAnalysis(analysis(0))).toMatchObject({ reason: 'no-face' });
    expect(gateAnalysis(analysis(3))).toMatchObject({ reason: 'several-faces', detail: '3 faces found' });
  });

  it('has limits that a kiosk frame can meet', () => {
    expect(DEFAULT_QUALITY_LIMITS.minBrightness).toBeLessThan(DEFAULT_QUALITY_LIMITS.maxBrightness);
    expect(DEFAULT_QUALITY_LIMITS.minFaceWidth).toBeLessThan(480);
  });
});
