// The text the server writes from templates (breach details, review items, history notes, timeline summaries)
// reads in Chinese with no English left: every line a synthetic city's findings and timelines produce, across
// every behaviour it plays (late, missed, wrong centre, failed verifications, impostors, excuses, contests,
// outages, skipped tasks), matches a template, and what stays untranslated is data (ids, kiosks, scores).
import { describe, expect, it } from 'vitest';
import { computeBreaches } from '../../core/breach/engine.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { incidentViews, timelineEvents } from '../../main/web/attendance.ts';
import { findingsInDoubt } from '../../main/web/unverified-view.ts';
import { chineseOf } from '../../renderer/engine-text.ts';
import { syntheticCity } from '../checkin/support/synthetic-city.ts';

function leftInEnglish(line: string): string | undefined {
  const pieces = chineseOf(line);
  if (!pieces) return `no template: ${line}`;
  const words = pieces.filter((p) => typeof p === 'string').join('');
  return /[A-Za-z]/.test(words) ? `English left: ${words}` : undefined;
}

describe('engine texts in Chinese', () => {
  it('every detail, note and summary of a city reads through a template, its words Chinese', () => {
    const city = syntheticCity({
      people: 300,
      startDay: parseDay('2026-03-01') as number,
      days: 30,
      seed: 5,
      outagePerMille: 60,
      compliance: 0.4,
    });
    const report = computeBreaches(city.records, city.end);
    const lines = new Set<string>();
    for (const b of report.breaches) {
      lines.add(b.detail);
      for (const h of b.history) lines.add(h.note);
    }
    const subjects = new Set(report.reviews.map((r) => r.subject));
    for (const subject of subjects)
      for (const view of incidentViews(
        report.reviews.filter((r) => r.subject === subject),
        'UTC',
      ))
        for (const line of view.detail.split('\n')) lines.add(line);
    for (const r of report.reviews) for (const h of r.history) lines.add(h.note);
    for (const subject of [...subjects].slice(0, 60))
      for (const e of timelineEvents(city.records, subject)) lines.add(e.summary);
    const [doubt] = findingsInDoubt(incidentViews(report.reviews.slice(0, 1), 'UTC'), [
      { origin: 'c1/k1', seq: 3, kind: 'forged', reason: 'signature does not verify', after: 0 },
    ]);
    if (doubt) lines.add(doubt.detail);
    // Every kind the city plays shows up, so the check covers them.
    for (const kind of [
      'min after the window',
      'no check-in',
      'checked in at',
      'fingerprint matched',
      'failed verification',
      'not done',
      'outage:',
      'excused by',
      'contest',
      'review ',
      'plan:',
      'not judged',
    ]) {
      expect(
        [...lines].some((l) => l.includes(kind)),
        kind,
      ).toBe(true);
    }
    expect([...lines].map(leftInEnglish).filter((x) => x !== undefined)).toEqual([]);
  });

  it('keeps ids and scores as data and reads codes through the catalogues', () => {
    expect(chineseOf('checked in 25 min after the window and grace ended')).toEqual([
      '报到时段及宽限期结束后 ',
      '25',
      ' 分钟才报到',
    ]);
    expect(chineseOf('checked in at c1; assigned c0')).toEqual([
      '在 ',
      { data: 'c1' },
      ' 报到；指定报到中心为 ',
      { data: 'c0' },
    ]);
    expect(chineseOf('no check-in; staff review found no excuse (sick)')).toEqual([
      '未报到；工作人员复核认定无正当理由（',
      '病假',
      '）',
    ]);
    expect(chineseOf('verify by face: mismatch (try 2) at c0/k1')).toEqual([
      '核验',
      '（',
      '人脸',
      '）：',
      '不匹配',
      '（第 ',
      '2',
      ' 次），',
      { data: 'c0/k1' },
    ]);
    expect(
      chineseOf('excused 2026-03-02 to 2026-03-04 from missed-checkin (staff-1: leave)')
        ?.filter((p) => typeof p === 'string')
        .join(''),
    ).toBe('准假  至 ，免于 （：请假）');
    expect(chineseOf('Muster failed during 2 attempt(s) (bad-frame); not an excuse: staff decide')).toContainEqual({
      data: 'bad-frame',
    });
    expect(chineseOf('something new the engine says')).toBeUndefined();
  });
});
