// The kiosk's words in English and Simplified Chinese. Guidance texts come from core/checkin/guidance.ts (the
// English there is the source); every code has a Chinese line here, and a test keeps the two tables complete.
import { GUIDANCE, type GuidanceCode } from '../core/checkin/guidance.ts';
import type { KioskStep } from '../core/api/kiosk-api.ts';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

export const GUIDANCE_ZH: { readonly [C in GuidanceCode]: string } = {
  'place-finger': '请将手指平放在指纹识别器上。',
  'tap-badge': '请将您的卡片贴在读卡器上。',
  'finger-again': '未能识别指纹。请将同一根手指再次平放在识别器上。',
  'finger-still': '请保持手指平稳，完全覆盖识别器。',
  'finger-badge-instead': '指纹识别器暂时无法使用。请改用卡片。',
  'finger-unread-badge': '未能读取您的指纹。请改用卡片。',
  'badge-unknown': '无法识别此卡片。请重试或联系工作人员。',
  'look-at-camera': '请看向摄像头。',
  'face-light': '请正视摄像头。确保脸部光线充足，没有遮挡。',
  'face-move': '请按照屏幕上的提示移动。',
  'face-again': '未能确认面部。请摘下眼镜或帽子，再次看向摄像头。',
  'staff-confirm': '摄像头暂时无法使用。工作人员将为您确认身份。',
  'tasks': '以下是今天的任务。请勾选您已完成的任务。',
  'recording': '正在保存您的签到……',
  'receipt': '签到成功。请拿好您的凭证。',
  'see-staff': '我们未能确认您的身份。请联系工作人员。工作人员会复核此情况；这不会被记录为违规。',
  'devices-down': '自助机暂时无法为您签到。请联系工作人员。这将被记录为设备故障，而不是违规。',
  'cancelled': '签到已取消。',
};

const WORDS = {
  title: { en: 'Check in', 'zh-CN': '签到' },
  start: { en: 'Start check-in', 'zh-CN': '开始签到' },
  startHint: { en: 'Touch the button to begin. You will use your finger and the camera.', 'zh-CN': '请点击按钮开始。您将使用指纹和摄像头。' },
  language: { en: 'Language', 'zh-CN': '语言' },
  progress: { en: 'Progress', 'zh-CN': '进度' },
  tasksTitle: { en: "Today's tasks", 'zh-CN': '今天的任务' },
  taskStudy: { en: 'Study module', 'zh-CN': '学习课程' },
  taskService: { en: 'Community service', 'zh-CN': '社区服务' },
  taskQuestionnaire: { en: 'Questionnaire', 'zh-CN': '问卷' },
  minutes: { en: 'minutes', 'zh-CN': '分钟' },
  done: { en: 'Done', 'zh-CN': '完成' },
  skip: { en: 'Skip tasks', 'zh-CN': '跳过任务' },
  saveTasks: { en: 'Save and continue', 'zh-CN': '保存并继续' },
  checkedIn: { en: 'You are checked in', 'zh-CN': '您已签到' },
  receipt: { en: 'Your receipt', 'zh-CN': '您的凭证' },
  person: { en: 'Person', 'zh-CN': '人员编号' },
  time: { en: 'Time', 'zh-CN': '时间' },
  place: { en: 'Centre', 'zh-CN': '中心' },
  entry: { en: 'Record', 'zh-CN': '记录' },
  qrAlt: { en: 'Receipt QR code: proof of this check-in', 'zh-CN': '凭证二维码：本次签到的证明' },
  print: { en: 'Print receipt', 'zh-CN': '打印凭证' },
  finish: { en: 'Finish', 'zh-CN': '结束' },
  notBreach: { en: 'This is not a breach.', 'zh-CN': '这不是违规。' },
  seeStaff: { en: 'Please go to the staff desk. A member of staff will help you.', 'zh-CN': '请前往工作人员服务台，工作人员会帮助您。' },
  backToStart: { en: 'Back to start', 'zh-CN': '返回首页' },
  waiting: { en: 'Please wait…', 'zh-CN': '请稍候……' },
  idleWarning: { en: 'The screen returns to the start when not touched.', 'zh-CN': '无人操作时屏幕将返回首页。' },
  step_identify: { en: 'Identify', 'zh-CN': '识别' },
  step_verify: { en: 'Face', 'zh-CN': '人脸' },
  step_tasks: { en: 'Tasks', 'zh-CN': '任务' },
  step_saving: { en: 'Save', 'zh-CN': '保存' },
  step_receipt: { en: 'Receipt', 'zh-CN': '凭证' },
  error: { en: 'Something went wrong. Please see a member of staff. This is not a breach.', 'zh-CN': '出现问题。请联系工作人员。这不是违规。' },
} as const;

export type Word = keyof typeof WORDS;

export function t(language: Language, word: Word): string {
  return WORDS[word][language];
}

export function guidanceText(language: Language, code: GuidanceCode): string {
  return language === 'en' ? GUIDANCE[code] : GUIDANCE_ZH[code];
}

export function stepWord(step: KioskStep): Word {
  return `step_${step}`;
}

/** An icon for each piece of guidance, always shown beside its text. */
export function guidanceIcon(code: GuidanceCode): string {
  if (code.startsWith('finger') || code === 'place-finger') return '👆';
  if (code.includes('badge')) return '💳';
  if (code.startsWith('face') || code === 'look-at-camera') return '📷';
  switch (code) {
    case 'staff-confirm':
    case 'see-staff':
      return '🧑‍💼';
    case 'devices-down':
      return '🛠️';
    case 'tasks':
      return '📋';
    case 'recording':
      return '⏳';
    case 'receipt':
      return '✅';
    default:
      return 'ℹ️';
  }
}
