// The English the server writes from fixed templates (the breach engine's details and history notes, timeline
// summaries, the verified read path's "not judged"), read in the page's language: each template is matched and
// its words come from the catalogue, while what it holds (ids, kiosks, scores, staff) stays data, marked
// translate="no". Reason codes, methods, outcomes and steps read through their own tables. A text no template
// matches is shown as written, marked English (a test runs every template the engine can write through here).
import { type Catalogue, type Entry, language } from './catalogue.ts';
import { h } from './dom.ts';
import type { Language } from './i18n.ts';
import { ENTRY_TYPES, STATUSES } from './screen-words.ts';

/** Staff decisions' reasons (core/records/reason.ts REASON_CODES). */
export const REASONS: Catalogue = {
  'leave': { 'en': 'leave', 'zh-CN': '请假' },
  'sick': { 'en': 'sick', 'zh-CN': '病假' },
  'medical': { 'en': 'medical', 'zh-CN': '就医' },
  'travel': { 'en': 'travel', 'zh-CN': '外出' },
  'work': { 'en': 'work', 'zh-CN': '工作原因' },
  'family': { 'en': 'family', 'zh-CN': '家庭原因' },
  'legal': { 'en': 'legal', 'zh-CN': '法律事务' },
  'device-fault': { 'en': 'device fault', 'zh-CN': '设备故障' },
  'staff-error': { 'en': 'staff error', 'zh-CN': '工作人员差错' },
  'identity-confirmed': { 'en': 'identity confirmed', 'zh-CN': '身份已确认' },
  'identity-doubt': { 'en': 'identity in doubt', 'zh-CN': '身份存疑' },
  'evidence-checked': { 'en': 'evidence checked', 'zh-CN': '证据已核实' },
  'no-excuse': { 'en': 'no excuse', 'zh-CN': '无正当理由' },
  'new-plan': { 'en': 'new plan', 'zh-CN': '新计划' },
  'plan-change': { 'en': 'plan change', 'zh-CN': '计划变更' },
  'supervision-ended': { 'en': 'supervision ended', 'zh-CN': '监管结束' },
  're-enrolment': { 'en': 're-enrolment', 'zh-CN': '重新采集' },
  'other': { 'en': 'other', 'zh-CN': '其他' },
};

/** Check-in methods, attempt steps and outcomes, and devices (core/records/checkin.ts, device-health). */
const TERMS: Catalogue = {
  'fingerprint': { 'en': 'fingerprint', 'zh-CN': '指纹' },
  'badge': { 'en': 'badge', 'zh-CN': '卡片' },
  'face': { 'en': 'face', 'zh-CN': '人脸' },
  'staff': { 'en': 'staff', 'zh-CN': '工作人员确认' },
  'camera': { 'en': 'camera', 'zh-CN': '摄像头' },
  'kiosk': { 'en': 'kiosk', 'zh-CN': '自助机' },
  'identify': { 'en': 'identify', 'zh-CN': '识别' },
  'verify': { 'en': 'verify', 'zh-CN': '核验' },
  'confirm': { 'en': 'confirm', 'zh-CN': '确认' },
  'matched': { 'en': 'matched', 'zh-CN': '匹配' },
  'no-match': { 'en': 'no match', 'zh-CN': '未匹配' },
  'mismatch': { 'en': 'mismatch', 'zh-CN': '不匹配' },
  'poor-quality': { 'en': 'poor quality', 'zh-CN': '质量不佳' },
  'liveness-failed': { 'en': 'liveness failed', 'zh-CN': '活体检测未通过' },
  'device-down': { 'en': 'device down', 'zh-CN': '设备不可用' },
  'timeout': { 'en': 'timed out', 'zh-CN': '超时' },
  'cancelled': { 'en': 'cancelled', 'zh-CN': '已取消' },
  'unknown-badge': { 'en': 'unknown badge', 'zh-CN': '未知卡片' },
  'internal-error': { 'en': 'system error', 'zh-CN': '系统错误' },
  'open': { 'en': 'lodged', 'zh-CN': '提出' },
  'resolve': { 'en': 'resolved', 'zh-CN': '裁决' },
};

const LABELS: Catalogue = {
  grounds: { 'en': 'Grounds', 'zh-CN': '认定依据' },
};

/** The label before a finding's details. */
export function groundsLabel(): string {
  return word(LABELS, 'grounds') ?? '';
}

/** Words, or data shown as it is (an id, a kiosk, a score). */
export type Piece = string | { readonly data: string };
/** How a template's captured part is shown. */
type Kind = 'data' | 'number' | 'reason' | 'term' | 'terms' | 'status' | 'type';

interface Template {
  readonly re: RegExp;
  readonly kinds: readonly Kind[];
  /** Chinese, with {1}... for the captured parts; an optional part's text is in [..{n}..] and left out when it is absent. */
  readonly zh: string;
}

const T = (re: RegExp, kinds: readonly Kind[], zh: string): Template => ({ re, kinds, zh });

/** Most specific first. */
export const TEMPLATES: readonly Template[] = [
  // breach details and review items (core/breach/evaluate-day.ts)
  T(
    /^checked in (\d+) min late after (\d+) failed verification\(s\)$/,
    ['number', 'number'],
    '迟到 {1} 分钟报到，此前核验失败 {2} 次',
  ),
  T(
    /^checked in (\d+) min late; staff review found no excuse \((.+)\)$/,
    ['number', 'reason'],
    '迟到 {1} 分钟报到；工作人员复核认定无正当理由（{2}）',
  ),
  T(/^checked in (\d+) min after the window and grace ended$/, ['number'], '报到时段及宽限期结束后 {1} 分钟才报到'),
  T(/^checked in at (\S+); assigned (.+)$/, ['data', 'data'], '在 {1} 报到；指定报到中心为 {2}'),
  T(/^no check-in; (\d+) failed verification\(s\) in the window$/, ['number'], '未报到；报到时段内核验失败 {1} 次'),
  T(/^no check-in; staff review found no excuse \((.+)\)$/, ['reason'], '未报到；工作人员复核认定无正当理由（{1}）'),
  T(/^no check-in in the window$/, [], '报到时段内未报到'),
  T(/^face did not match the fingerprint, then verified on a retry$/, [], '人脸与指纹不符，重试后核验通过'),
  T(
    /^fingerprint matched, face did not \((\d+) attempt\(s\), scores (.+)\); liveness passed$/,
    ['number', 'data'],
    '指纹匹配而人脸不匹配（{1} 次尝试，比对分数 {2}）；活体检测通过',
  ),
  T(
    /^fingerprint matched, face did not; staff review confirmed \((.+)\)$/,
    ['reason'],
    '指纹匹配而人脸不匹配；工作人员复核确认（{1}）',
  ),
  T(
    /^Muster failed during (\d+) attempt\(s\) \((.+)\); not an excuse: staff decide$/,
    ['number', 'data'],
    '报到过程中系统故障 {1} 次（{2}）；不构成免责理由，由工作人员决定',
  ),
  T(/^(\d+) failed verifications in the window$/, ['number'], '报到时段内核验失败 {1} 次'),
  T(/^answers to (\S+) need a staff review$/, ['data'], '问卷 {1} 的答案需工作人员复核'),
  T(/^task (\S+) not done$/, ['data'], '任务 {1} 未完成'),
  T(/^study module (\S+) not done$/, ['data'], '学习模块 {1} 未完成'),
  T(/^(\d+) min of community service not recorded$/, ['number'], '未记录 {1} 分钟社区服务'),
  T(/^questionnaire (\S+) not answered$/, ['data'], '问卷 {1} 未作答'),
  T(
    /^biometrics replaced at (\S+) by (\S+), approved by (\S+)$/,
    ['data', 'data', 'data'],
    '生物特征在 {1} 由 {2} 重新采集，经 {3} 批准',
  ),
  // findings the verified read path holds back (main/web/unverified-view.ts): the verifier's reason is data
  T(/^not judged: entry (\S+) failed verification \((.+)\)$/s, ['data', 'data'], '未判定：记录 {1} 校验失败（{2}）'),
  // history notes
  T(/^outage: (\S+) at (\S+) out of service$/, ['term', 'data'], '设备故障：{2} 的{1}停止服务'),
  T(/^outage: (\S+) device down during the attempt$/, ['term'], '设备故障：尝试期间{1}设备不可用'),
  T(/^excused by (\S+): (.+)$/, ['data', 'reason'], '由 {1} 准假：{2}'),
  T(/^contested \((\S+)\): (.+)$/, ['data', 'reason'], '{1} 提出申诉：{2}'),
  T(/^contest (\S+) \((\S+)\): (.+)$/, ['status', 'data', 'reason'], '申诉结果：{1}（{2}）：{3}'),
  // timeline summaries (main/web/attendance.ts summarise)
  T(
    /^checked in at (\S+) \(([^)]+)\)(?:; tasks (.+))?$/,
    ['data', 'terms', 'data'],
    '在 {1} 报到（{2}）[；完成任务 {3}]',
  ),
  T(
    /^(identify|verify|confirm) by (\S+): (\S+) \(try (\d+)\) at (\S+)$/,
    ['term', 'term', 'term', 'number', 'data'],
    '{1}（{2}）：{3}（第 {4} 次），{5}',
  ),
  T(
    /^plan: (\S+) at (.+), grace (\d+) min \((\S+): (.+)\)$/,
    ['data', 'data', 'number', 'data', 'reason'],
    '监管计划：报到时段 {1}，中心 {2}，宽限 {3} 分钟（{4}：{5}）',
  ),
  T(
    /^excused (\S+)(?: to (\S+))?(?: from (.+))? \((\S+): (.+)\)$/,
    ['data', 'data', 'data', 'data', 'reason'],
    '准假 {1}[ 至 {2}][，免于 {3}]（{4}：{5}）',
  ),
  T(/^review (\S+): (\S+) \((\S+): (.+)\)$/, ['data', 'status', 'data', 'reason'], '复核 {1}：{2}（{3}：{4}）'),
  T(
    /^contest (open|resolve)(?: (\S+))? of (\S+) \((\S+): (.+)\)$/,
    ['term', 'status', 'data', 'data', 'reason'],
    '申诉{1}[：{2}]，{3}（{4}：{5}）',
  ),
  T(/^malformed (\S+): (.+)$/s, ['type', 'data'], '格式错误的{1}记录：{2}'),
  // a staff decision's note: who and why
  T(/^(\S+): (\S+)$/, ['data', 'reason'], '{1}：{2}'),
  // an entry type alone
  T(/^([a-z-]+)$/, ['type'], '{1}'),
];

function word(catalogue: Catalogue, key: string, lang: Language = language()): string | undefined {
  return Object.hasOwn(catalogue, key) ? (catalogue[key] as Entry)[lang] : undefined;
}

const zh = (catalogue: Catalogue, key: string): string | undefined => word(catalogue, key, 'zh-CN');

function part(kind: Kind, text: string): Piece {
  switch (kind) {
    case 'number':
      return text;
    case 'reason':
      return zh(REASONS, text) ?? { data: text };
    case 'term':
      return zh(TERMS, text) ?? { data: text };
    case 'terms': {
      const words = text.split(' + ').map((t) => zh(TERMS, t));
      return words.every((t) => t !== undefined) ? words.join('＋') : { data: text };
    }
    case 'status':
      return zh(STATUSES, text) ?? { data: text };
    case 'type':
      return zh(ENTRY_TYPES, text) ?? { data: text };
    default:
      return { data: text };
  }
}

/** One template's Chinese for a match, or undefined when a part it needs is missing. */
function fillTemplate(template: Template, groups: readonly (string | undefined)[]): Piece[] {
  const text = template.zh.replace(/\[([^\]]*)\]/g, (_, optional: string) => {
    const n = Number(/\{(\d)\}/.exec(optional)?.[1]);
    return groups[n - 1] === undefined ? '' : optional;
  });
  return text.split(/(\{\d\})/).flatMap((piece): Piece[] => {
    const n = /^\{(\d)\}$/.exec(piece)?.[1];
    if (n === undefined) return piece === '' ? [] : [piece];
    const value = groups[Number(n) - 1];
    return value === undefined ? [] : [part(template.kinds[Number(n) - 1] ?? 'data', value)];
  });
}

/** Chinese for one line the server wrote from a template; undefined when no template matches. */
export function chineseOf(text: string): Piece[] | undefined {
  for (const template of TEMPLATES) {
    const m = template.re.exec(text);
    if (m) return fillTemplate(template, m.slice(1));
  }
  return undefined;
}

/** A server-written text in the page's language: lines (an incident's parts) one by one. */
export function engineText(text: string): HTMLElement {
  if (language() === 'en') return h('span', { class: 'log-text' }, text);
  const lines = text.split('\n').map((line) => {
    const pieces = chineseOf(line);
    return pieces
      ? h(
          'span',
          {},
          ...pieces.map((p) => (typeof p === 'string' ? p : h('span', { class: 'data', translate: 'no' }, p.data))),
        )
      : h('span', { class: 'log-text', lang: 'en', translate: 'no' }, line);
  });
  return h('span', { class: 'engine-text' }, ...lines.flatMap((l, i) => (i === 0 ? [l] : ['；', l])));
}
