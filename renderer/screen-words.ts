// The words the staff screen and the HQ dashboard share: roster states, rule ids, review reasons, finding
// statuses, log entry types, findings and timelines, sign-in, loading / stale / error states and API errors.
// Rule ids and states are codes on the wire and on the log; people read them through these tables.
import type { RosterState } from '../core/api/staff-api.ts';
import type { ReviewReason, RuleId } from '../core/breach/rule-ids.ts';
import { type Catalogue, type Entry, language, sentenceOf, wordsOf } from './catalogue.ts';

export const STATES: { readonly [S in RosterState]: Entry & { readonly icon: string } } = {
  'checked-in': { 'icon': '✅', 'en': 'Checked in', 'zh-CN': '已报到' },
  'expected': { 'icon': '⏳', 'en': 'Expected', 'zh-CN': '待报到' },
  'late': { 'icon': '🕒', 'en': 'Late', 'zh-CN': '迟到' },
  'breached': { 'icon': '⛔', 'en': 'Breached', 'zh-CN': '违规' },
  'excused': { 'icon': '📝', 'en': 'Excused', 'zh-CN': '已准假' },
  'review': { 'icon': '🔎', 'en': 'Under review', 'zh-CN': '待复核' },
};

/** Breach rules and review reasons, by the id the engine writes. */
export const RULES: { readonly [R in RuleId | ReviewReason]: Entry } = {
  'missed-checkin': { 'en': 'Missed check-in', 'zh-CN': '未按时报到' },
  'late-checkin': { 'en': 'Late check-in', 'zh-CN': '迟到报到' },
  'wrong-centre': { 'en': 'Checked in at another centre', 'zh-CN': '在非指定中心报到' },
  'task-not-done': { 'en': 'Task not done', 'zh-CN': '任务未完成' },
  'suspected-impersonation': { 'en': 'Suspected impersonation', 'zh-CN': '疑似冒名顶替' },
  'verification-failed': { 'en': 'Identity not verified', 'zh-CN': '身份核验未通过' },
  'repeated-failed-verification': { 'en': 'Repeated failed verification', 'zh-CN': '多次核验失败' },
  'questionnaire-flag': { 'en': 'Questionnaire answers to review', 'zh-CN': '问卷答案需复核' },
  'face-mismatch-then-verified': { 'en': 'Face mismatch, then verified', 'zh-CN': '人脸不符后核验通过' },
  'internal-error': { 'en': 'System fault during check-in', 'zh-CN': '报到时系统故障' },
  're-enrolment': { 'en': 'Biometrics re-enrolled: check it was them', 'zh-CN': '生物特征已重新录入：请核实本人' },
};

/** Statuses of breaches (open ... dismissed) and review items (pending, cleared, breach). */
export const STATUSES: Catalogue = {
  open: { 'en': 'open', 'zh-CN': '未处理' },
  unverified: { 'en': 'not judged: an entry failed verification', 'zh-CN': '未判定：记录校验失败' },
  excused: { 'en': 'excused', 'zh-CN': '已准假' },
  contested: { 'en': 'contested', 'zh-CN': '申诉中' },
  upheld: { 'en': 'upheld', 'zh-CN': '申诉驳回（维持）' },
  dismissed: { 'en': 'dismissed', 'zh-CN': '申诉成立（撤销）' },
  pending: { 'en': 'waiting for a decision', 'zh-CN': '待决定' },
  cleared: { 'en': 'cleared', 'zh-CN': '已排除' },
  breach: { 'en': 'breach', 'zh-CN': '认定违规' },
};

export const ENTRY_TYPES: Catalogue = {
  'genesis': { 'en': 'log start', 'zh-CN': '日志开始' },
  'key-rotation': { 'en': 'key change', 'zh-CN': '密钥更换' },
  'key-revocation': { 'en': 'key revoked', 'zh-CN': '密钥吊销' },
  'kiosk-registration': { 'en': 'kiosk registered', 'zh-CN': '自助机登记' },
  'witness-registration': { 'en': 'witness registered', 'zh-CN': '见证方登记' },
  'checkin-attempt': { 'en': 'check-in attempt', 'zh-CN': '报到尝试' },
  'checkin': { 'en': 'check-in', 'zh-CN': '报到' },
  'enrolment': { 'en': 'enrolment', 'zh-CN': '采集登记' },
  'plan': { 'en': 'plan', 'zh-CN': '监管计划' },
  'task': { 'en': 'task', 'zh-CN': '任务' },
  'excuse': { 'en': 'excuse', 'zh-CN': '准假' },
  'review': { 'en': 'review decision', 'zh-CN': '复核决定' },
  'breach': { 'en': 'breach', 'zh-CN': '违规' },
  'contest': { 'en': 'contest', 'zh-CN': '申诉' },
  'device-health': { 'en': 'device health', 'zh-CN': '设备状态' },
  'access': { 'en': 'data access', 'zh-CN': '数据访问' },
  'erasure': { 'en': 'erasure', 'zh-CN': '数据删除' },
  'evidence-export': { 'en': 'evidence exported', 'zh-CN': '证据导出' },
};

const WORDS = {
  'signInTitleStaff': { 'en': 'Attendance: sign in', 'zh-CN': '报到管理：登录' },
  'signInTitleHq': { 'en': 'HQ: sign in', 'zh-CN': '指挥中心：登录' },
  'userName': { 'en': 'User name', 'zh-CN': '用户名' },
  'password': { 'en': 'Password', 'zh-CN': '密码' },
  'signIn': { 'en': 'Sign in', 'zh-CN': '登录' },
  'signOut': { 'en': 'Sign out', 'zh-CN': '退出登录' },
  'signInFailed': {
    'en': 'Sign-in failed: check the user name and password.',
    'zh-CN': '登录失败：请检查用户名和密码。',
  },
  'throttled': { 'en': 'Too many tries: wait a minute, then try again.', 'zh-CN': '尝试次数过多：请稍等一分钟再试。' },
  'role_parolee': { 'en': 'parolee', 'zh-CN': '社区矫正对象' },
  'role_staff': { 'en': 'centre staff', 'zh-CN': '中心工作人员' },
  'role_officer': { 'en': 'correction officer', 'zh-CN': '矫正官' },
  'role_police': { 'en': 'police', 'zh-CN': '公安' },
  'role_auditor': { 'en': 'auditor', 'zh-CN': '审计员' },
  'language': { 'en': 'Language', 'zh-CN': '语言' },
  'loading': { 'en': 'Loading…', 'zh-CN': '正在加载……' },
  'updatedAt': { 'en': 'Up to date as of {time}.', 'zh-CN': '数据更新于 {time}。' },
  'stale': {
    'en': 'Not updated since {time}: {why} The figures shown may be out of date.',
    'zh-CN': '自 {time} 起未能更新：{why} 显示的数据可能已过时。',
  },
  'err_unauthenticated': { 'en': 'Your session has ended. Please sign in again.', 'zh-CN': '登录已过期，请重新登录。' },
  'err_forbidden': { 'en': 'Your account may not do this.', 'zh-CN': '您的账号无权进行此操作。' },
  'err_not-found': {
    'en': 'Not found: it may have been decided or changed meanwhile.',
    'zh-CN': '未找到：可能已被处理或已更改。',
  },
  'err_bad-message': { 'en': 'The form is not complete or not valid.', 'zh-CN': '表单不完整或无效。' },
  'err_offline': { 'en': 'The server cannot be reached. Check the network.', 'zh-CN': '无法连接服务器，请检查网络。' },
  'err_server': { 'en': 'The server could not answer.', 'zh-CN': '服务器无法响应。' },
  'err_other': { 'en': 'Something went wrong.', 'zh-CN': '出现错误。' },
  'errorDetail': { 'en': 'Details', 'zh-CN': '详细信息' },
  'none': { 'en': 'None.', 'zh-CN': '无。' },
  'breaches': { 'en': 'Breaches', 'zh-CN': '违规记录' },
  'reviewItems': { 'en': 'Review items', 'zh-CN': '待复核事项' },
  'history': { 'en': 'History', 'zh-CN': '记录历史' },
  'time': { 'en': 'Time', 'zh-CN': '时间' },
  'entry': { 'en': 'Entry', 'zh-CN': '记录类型' },
  'what': { 'en': 'What the log says', 'zh-CN': '日志内容' },
  'log': { 'en': 'Log', 'zh-CN': '日志' },
  'evidence': { 'en': 'Evidence', 'zh-CN': '证据' },
  'evidenceNone': { 'en': 'none', 'zh-CN': '无' },
  'showNote': { 'en': 'Show the words (logged)', 'zh-CN': '查看原文（留痕）' },
  'logText': { 'en': 'As written on the log', 'zh-CN': '日志原文' },
  'incidentParts': { 'en': 'This incident covers', 'zh-CN': '本事件包括' },
  'facesAtCentre': {
    'en': 'The captured faces stay sealed at the centre: compare them with the enrolment photo on the attendance screen of {kiosks}.',
    'zh-CN': '拍摄的人脸画面仅加密保存在中心：请在 {kiosks} 的报到管理页面与登记照片比对。',
  },
  'day': { 'en': 'Day', 'zh-CN': '日期' },
  'timesIn': { 'en': 'Times in {zone}', 'zh-CN': '时间按 {zone}' },
  'close': { 'en': 'Close', 'zh-CN': '关闭' },
  'person': { 'en': 'Person', 'zh-CN': '人员' },
  'exportEvidence': { 'en': 'Export evidence', 'zh-CN': '导出证据' },
  'exporting': { 'en': 'Exporting…', 'zh-CN': '正在导出……' },
  'evidenceSaved': {
    'en': 'Saved {file}: check it with muster evidence verify or the verifier page.',
    'zh-CN': '已保存 {file}：可用 muster evidence verify 或核验页面离线核验。',
  },
} as const satisfies Catalogue;

export const w = wordsOf(WORDS);
/** A sentence with data (ids) in it, as nodes. */
export const wn = sentenceOf(WORDS);
const status = wordsOf(STATUSES);
const entryType = wordsOf(ENTRY_TYPES);

export function ruleText(rule: string): string {
  return Object.hasOwn(RULES, rule) ? RULES[rule as RuleId][language()] : rule;
}

export function statusText(value: string): string {
  return Object.hasOwn(STATUSES, value) ? status(value) : value;
}

export function entryTypeText(type: string): string {
  return Object.hasOwn(ENTRY_TYPES, type) ? entryType(type) : type;
}

export function stateText(state: RosterState): string {
  return STATES[state][language()];
}
