import { describe, expect, it } from 'vitest';
import { calibrate, ratesAt } from '../../face/calibration.ts';
import { DEFAULT_MATCH_THRESHOLD, decide, descriptorDistance, templateDistance } from '../../face/match.ts';
import { parsePairsCsv } from '../../face/pairs-csv.ts';

describe('threshold calibration', () => {
  const pairs = [
    ...[0.3, 0.4, 0.45, 0.5, 0.58].map((distance) => ({ distance, same: true })),
    ...[0.56, 0.7, 0.8, 0.9, 1.0].map((distance) => ({ distance, same: false })),
  ];

  it('counts false accepts and false rejects at a threshold', () => {
    expect(ratesAt(pairs, 0.55)).toEqual({ threshold: 0.55, far: 0, frr: 0.2 });
    expect(ratesAt(pairs, 0.6)).toEqual({ threshold: 0.6, far: 0.2, frr: 0 });
  });

  it('suggests the loosest threshold within the false-accept target and reports the equal-error point', () => {
    const result = calibrate(pairs, 0);
    expect(result.operatingPoint.threshold).toBe(0.56);
    expect(result.operatingPoint.far).toBe(0);
    expect(result.equalError.threshold).toBeGreaterThanOrEqual(0.56);
    expect(result.farResolution).toBeCloseTo(0.6);
    expect(result.genuine).toBe(5);
    expect(result.impostor).toBe(5);
  });

  it('needs both kinds of pair', () => {
    expect(() => calibrate(pairs.filter((p) => p.same))).toThrow(TypeError);
  });
});

describe('matching', () => {
  const a = new Float32Array(128);
  const b = Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? 0.3 : 0));
  it('uses Euclidean distance and a strict threshold', () => {
    expect(descriptorDistance(a, b)).toBeCloseTo(0.3);
    expect(decide(0.3, 0.5)).toEqual({ distance: 0.3, threshold: 0.5, decision: 'match' });
    expect(decide(0.5, 0.5).decision).toBe('no-match');
    expect(templateDistance([a, b], b)).toBeCloseTo(0.15);
    expect(DEFAULT_MATCH_THRESHOLD).toBeLessThan(0.6);
  });
  it('refuses descriptors of the wrong length and absurd thresholds', () => {
    expect(() => descriptorDistance(a, new Float32Array(3))).toThrow(TypeError);
    expect(() => decide(0.3, 5)).toThrow(TypeError);
  });
});

describe('pair list CSV', () => {
  it('reads labels, skips comments and a header, resolves paths against its folder', () => {
    const pairs = parsePairsCsv(
      '# made by hand\nimage_a,image_b,label\na.jpg,b.jpg,same\n/abs/c.jpg , d.jpg, different\n\n',
      '/data',
    );
    expect(pairs).toEqual([
      { a: '/data/a.jpg', b: '/data/b.jpg', same: true },
      { a: '/abs/c.jpg', b: '/data/d.jpg', same: false },
    ]);
  });
  it('names the bad line', () => {
    expect(() => parsePairsCsv('a.jpg,b.jpg,same\na.jpg,b.jpg,maybe\n', '/')).toThrow(/line 2/);
    expect(() => parsePairsCsv('# nothing\n', '/')).toThrow(expect.objectContaining({ code: 'pairs-empty' }) as Error);
  });
});
