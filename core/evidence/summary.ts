// The plain-language result of verifying a bundle, in English or Chinese: what happened that day, how complete
// the logs are shown to be and who witnessed them, and how far the evidence is tied to keys given from outside.
import type { Breach } from '../breach/findings.ts';
import { formatClock, parseDay } from '../time/civil-day.ts';
import { zonedDay, zonedMinute } from '../time/zoned-time.ts';
import type { BundleFacts, BundleReport } from './verify-bundle.ts';

export const SUMMARY_LANGUAGES = ['en', 'zh'] as const;
export type SummaryLanguage = (typeof SUMMARY_LANGUAGES)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Whether the verified bundle is tied to a pinned key or trusted witness for every log it holds. */
export function isAnchored(report: BundleReport): boolean {
  return report.ok && report.anchors.length > 0 && report.unanchored.length === 0;
}

export function summarise(report: BundleReport, language: SummaryLanguage): string[] {
  const zh = language === 'zh';
  if (!report.ok) return [zh ? `验证失败：${report.failure}` : `NOT VALID: ${report.failure}`];
  const { facts } = report;
  const lines = [what(facts, zh), coverage(facts, zh)];
  if (isAnchored(report)) {
    lines.push(zh ? `信任依据：${report.anchors.join('；')}` : `Trusted because: ${report.anchors.join('; ')}.`);
  } else {
    const loose = report.unanchored.join(', ');
    lines.push(
      zh
        ? `注意：本文件只证明其自身前后一致。${loose ? `${loose} 的密钥` : '其密钥'}未由您信任的公钥或见证方确认（请用 --trust 指定 HQ 注册表、自助机或见证方的公钥）。`
        : `CAUTION: the file is only shown to be consistent with itself: ${loose ? `the keys of ${loose} are` : 'its keys are'} not vouched for by a key or witness you trust (give HQ's registry key, a kiosk's key or a witness's key with --trust).`,
    );
  }
  return lines;
}

function what(f: BundleFacts, zh: boolean): string {
  const day = dateText(f.day, zh);
  const centres = f.centres.join(', ');
  const time = (ms: number): string =>
    formatClock(zonedMinute(ms, f.zone)) +
    (zonedDay(ms, f.zone) !== parseDay(f.day) ? (zh ? '（次日）' : ' (next day)') : '');
  const period = zh
    ? `${time(f.window.open)} 至 ${time(f.window.onTimeUntil)}（${f.zone}）`
    : `between ${time(f.window.open)} and ${time(f.window.onTimeUntil)} (${f.zone})`;
  const late = zh
    ? `，迟到时段（至 ${time(f.window.lateUntil)}）内也未报到`
    : `, nor late until ${time(f.window.lateUntil)}`;
  const checkin = f.verdict.checkins[0];
  const standing = f.verdict.breaches[0];
  switch (f.verdict.kind) {
    case 'missed':
      return zh
        ? `${f.subject} 未于 ${day} ${period}在 ${centres} 报到${late}。`
        : `${f.subject} did not check in at ${centres} on ${day} ${period}${late}.`;
    case 'late':
      return zh
        ? `${f.subject} 于 ${day} 在 ${centres} 迟到报到：${standing?.detail ?? ''}。`
        : `${f.subject} checked in late at ${centres} on ${day}: ${standing?.detail ?? ''}.`;
    case 'breach':
      return zh
        ? `${f.subject} 于 ${day} 违反规定：${rules(f.verdict.breaches)}。`
        : `${f.subject} breached the plan on ${day}: ${rules(f.verdict.breaches)}.`;
    case 'excused':
      return zh
        ? `${f.subject} 于 ${day} 的违规已获豁免或撤销：${notes(f.verdict.breaches)}。`
        : `${f.subject}'s breach on ${day} is excused or dismissed: ${notes(f.verdict.breaches)}.`;
    case 'review':
      return zh
        ? `${f.subject} 于 ${day} 有 ${f.verdict.reviews.length} 项待工作人员审核（${f.verdict.reviews.map((r) => r.reason).join('、')}），没有违规。`
        : `${f.subject}'s day ${day} has ${f.verdict.reviews.length} item(s) for staff review (${f.verdict.reviews.map((r) => r.reason).join(', ')}) and no breach.`;
    case 'on-time':
      return zh
        ? `${f.subject} 于 ${day} ${checkin ? time(recordTime(f, checkin.origin, checkin.seq)) : ''} 在 ${checkin?.origin ?? centres} 按时报到（时段 ${period}）。`
        : `${f.subject} checked in on time at ${checkin?.origin ?? centres} on ${day}${checkin ? ` at ${time(recordTime(f, checkin.origin, checkin.seq))}` : ''} (window ${period}).`;
    case 'none':
      return zh ? `${f.subject} 于 ${day} 没有需判定的事项。` : `Nothing was found against ${f.subject} on ${day}.`;
  }
}

function coverage(f: BundleFacts, zh: boolean): string {
  const parties = f.witnesses.length;
  return zh
    ? `${f.segments.length} 台自助机的日志在该时段内完整，经 ${parties} 方见证${parties > 0 ? `（${f.witnesses.join('、')}）` : ''}。`
    : `${f.segments.length} kiosk log(s) complete for that period, witnessed by ${parties} part${parties === 1 ? 'y' : 'ies'}${parties > 0 ? ` (${f.witnesses.join(', ')})` : ''}.`;
}

function recordTime(f: BundleFacts, origin: string, seq: number): number {
  return f.times.get(`${origin}@${seq}`) ?? f.window.open;
}

function rules(breaches: readonly Breach[]): string {
  return breaches.map((b) => `${b.rule} (${b.detail})`).join('; ');
}

function notes(breaches: readonly Breach[]): string {
  return breaches.map((b) => `${b.rule}: ${b.history.at(-1)?.note ?? b.status}`).join('; ');
}

function dateText(day: string, zh: boolean): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return zh ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1] ?? ''} ${y}`;
}
