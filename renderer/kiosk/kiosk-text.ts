// Everything the kiosk screen says, in Simplified Chinese and English. The English guidance comes from
// core/checkin/guidance.ts (the source); every code has a Chinese line here and an icon of what to do now.
// Names that are data (centre, tasks) come from the kiosk configuration, never from ids.
import type { KioskLanguage, KioskStep } from '../../core/api/kiosk-api.ts';
import { GUIDANCE, type GuidanceCode } from '../../core/checkin/guidance.ts';

export const GUIDANCE_ZH: { readonly [C in GuidanceCode]: string } = {
  'place-finger': '请将手指平放在指纹识别器上。',
  'tap-badge': '请将您的卡片贴在读卡器上。',
  'finger-again': '未能识别指纹。请将同一根手指再次平放在识别器上。',
  'finger-still': '请保持手指平稳，完全覆盖识别器。',
  'finger-badge-instead': '指纹识别器暂时无法使用。请改用卡片。',
  'finger-unread-badge': '未能读取您的指纹。请改用卡片。',
  'badge-unknown': '无法识别此卡片。请再试一次，或联系工作人员。',
  'look-at-camera': '请看向摄像头。',
  'face-starting': '摄像头识别正在准备，请稍候并看向摄像头。',
  'face-light': '请正视摄像头。确保脸部光线充足，没有遮挡。',
  'face-move': '请按照屏幕上的提示移动。',
  'face-turn': '请一直看着摄像头，慢慢把头转向一侧，再转回来。',
  'face-blink': '请一直看着摄像头，慢慢眨一下眼睛。',
  'face-again': '未能确认面部。请摘下眼镜或帽子，再次看向摄像头。',
  'staff-confirm': '摄像头暂时无法使用。工作人员将为您确认身份。',
  'tasks': '以下是今天的任务。请勾选您已完成的任务。',
  'recording': '正在保存您的签到……',
  'receipt': '签到成功。请拿好您的凭证。',
  'see-staff': '我们未能确认您的身份。请联系工作人员。工作人员会复核此情况；这不会被记录为违规。',
  'devices-down': '自助机暂时无法为您签到。请联系工作人员。这将被记录为设备故障，而不是违规。',
  'cancelled': '签到已取消。您尚未签到。',
  'walked-away': '自助机前无人操作，本次签到已结束。没有人被签到。',
  'staff-called': '已呼叫工作人员。请在此等候，并向工作人员出示此参考编号。',
};

/** The icon of each message: what the person does now (a card when the fingerprint reader is down, not a finger). */
const GUIDANCE_ICON: { readonly [C in GuidanceCode]: string } = {
  'place-finger': '👆',
  'tap-badge': '💳',
  'finger-again': '👆',
  'finger-still': '✋',
  'finger-badge-instead': '💳',
  'finger-unread-badge': '💳',
  'badge-unknown': '💳',
  'look-at-camera': '📷',
  'face-starting': '⏳',
  'face-light': '💡',
  'face-move': '↔️',
  'face-turn': '🔄',
  'face-blink': '😑',
  'face-again': '🧢',
  'staff-confirm': '🧑‍💼',
  'tasks': '📋',
  'recording': '⏳',
  'receipt': '✅',
  'see-staff': '🧑‍💼',
  'devices-down': '🛠️',
  'cancelled': '↩️',
  'walked-away': '🚶',
  'staff-called': '🔔',
};

const WORDS = {
  title: { 'en': 'Check-in kiosk', 'zh-CN': '签到自助机' },
  start: { 'en': 'Start check-in', 'zh-CN': '开始签到' },
  youWillUse: { 'en': 'You will use:', 'zh-CN': '您将使用：' },
  useFinger: { 'en': 'your fingerprint', 'zh-CN': '指纹' },
  useBadge: { 'en': 'your card', 'zh-CN': '卡片' },
  useCamera: { 'en': 'the camera', 'zh-CN': '摄像头' },
  useStaff: { 'en': 'a member of staff', 'zh-CN': '工作人员确认' },
  onlyOne: {
    'en': 'Some devices are not working today. Check-in still works with these.',
    'zh-CN': '今天部分设备无法使用，仍可使用以下方式签到。',
  },
  outOfService: { 'en': 'This kiosk cannot check anyone in right now.', 'zh-CN': '本自助机暂时无法签到。' },
  outOfServiceHelp: {
    'en': 'Please go to the staff desk. Staff will record your visit. This is not a breach.',
    'zh-CN': '请前往工作人员服务台，工作人员会记录您的到访。这不是违规。',
  },
  today: { 'en': 'Today', 'zh-CN': '今天' },
  window: { 'en': 'Check-in window', 'zh-CN': '签到时间' },
  noWindow: { 'en': 'No check-ins are due here today.', 'zh-CN': '今天本中心没有签到安排。' },
  language: { 'en': 'Language', 'zh-CN': '语言' },
  progress: { 'en': 'Progress', 'zh-CN': '进度' },
  tasksTitle: { 'en': "Today's tasks", 'zh-CN': '今天的任务' },
  taskStudy: { 'en': 'Study module', 'zh-CN': '学习课程' },
  taskService: { 'en': 'Community service', 'zh-CN': '社区服务' },
  taskQuestionnaire: { 'en': 'Questionnaire', 'zh-CN': '问卷' },
  minutes: { 'en': 'minutes', 'zh-CN': '分钟' },
  saveTasks: { 'en': 'Save and continue', 'zh-CN': '保存并继续' },
  noneDone: { 'en': 'None done yet', 'zh-CN': '都还没完成' },
  moreTasks: { 'en': 'More tasks below ↓', 'zh-CN': '下面还有任务 ↓' },
  checkedIn: { 'en': 'You are checked in', 'zh-CN': '您已签到' },
  receipt: { 'en': 'Your receipt', 'zh-CN': '您的凭证' },
  person: { 'en': 'Person', 'zh-CN': '人员编号' },
  time: { 'en': 'Time', 'zh-CN': '时间' },
  place: { 'en': 'Centre', 'zh-CN': '中心' },
  entry: { 'en': 'Record', 'zh-CN': '记录编号' },
  qrAlt: { 'en': 'Receipt QR code: proof of this check-in', 'zh-CN': '凭证二维码：本次签到的证明' },
  print: { 'en': 'Print receipt', 'zh-CN': '打印凭证' },
  finish: { 'en': 'Finish', 'zh-CN': '结束' },
  cancel: { 'en': 'Cancel', 'zh-CN': '取消' },
  callStaff: { 'en': 'Call staff', 'zh-CN': '呼叫工作人员' },
  reference: { 'en': 'Reference number', 'zh-CN': '参考编号' },
  backToStart: { 'en': 'Back to start', 'zh-CN': '返回首页' },
  waiting: { 'en': 'Please wait…', 'zh-CN': '请稍候……' },
  tryOf: { 'en': 'Try {n} of {of}', 'zh-CN': '第 {n} 次，共 {of} 次' },
  closesIn: { 'en': 'This screen closes in {s} s', 'zh-CN': '本页面将在 {s} 秒后关闭' },
  timeLeft: { 'en': '{s} s left', 'zh-CN': '剩余 {s} 秒' },
  touchToWait: {
    'en': 'To keep waiting, touch the screen before the time runs out.',
    'zh-CN': '如需继续等候，请在倒计时结束前轻触屏幕。',
  },
  step_identify: { 'en': 'Identify', 'zh-CN': '识别' },
  step_verify: { 'en': 'Face', 'zh-CN': '人脸' },
  step_tasks: { 'en': 'Tasks', 'zh-CN': '任务' },
  step_saving: { 'en': 'Save', 'zh-CN': '保存' },
  step_receipt: { 'en': 'Receipt', 'zh-CN': '凭证' },
  fingerHere: { 'en': 'Finger flat on the sensor', 'zh-CN': '手指平放在识别器上' },
  lookHere: { 'en': 'Look into the camera, face inside the oval', 'zh-CN': '看向摄像头，脸部对准椭圆框' },
  error: { 'en': 'The kiosk did not answer. It will try again by itself.', 'zh-CN': '自助机没有响应，将自动重试。' },
  errorHelp: {
    'en': 'If this stays, please see a member of staff. This is not a breach.',
    'zh-CN': '如果一直如此，请联系工作人员。这不是违规。',
  },
} as const satisfies Readonly<Record<string, { readonly [L in KioskLanguage]: string }>>;

export type Word = keyof typeof WORDS;

/** The language's own name, in itself (the switch shows each language in its own script). */
export const LANGUAGE_NAMES: { readonly [L in KioskLanguage]: string } = { 'zh-CN': '中文', 'en': 'English' };

export function t(language: KioskLanguage, word: Word, values: Readonly<Record<string, number | string>> = {}): string {
  return WORDS[word][language].replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}

export function guidanceText(language: KioskLanguage, code: GuidanceCode): string {
  return language === 'en' ? GUIDANCE[code] : GUIDANCE_ZH[code];
}

export function guidanceIcon(code: GuidanceCode): string {
  return GUIDANCE_ICON[code];
}

export function stepWord(step: KioskStep): Word {
  return `step_${step}`;
}
