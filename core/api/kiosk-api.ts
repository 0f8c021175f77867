// The kiosk screen's messages. Main keeps the screen's state (KioskView) and pushes it whole on every change,
// so a reloaded or restarted renderer shows exactly where the session is. The view holds only the current
// session's person (their tasks and receipt) and is cleared when the session ends or times out.
import { GUIDANCE, type GuidanceCode } from '../checkin/guidance.ts';
import { type Out, bool, ident, int, list, nullable, obj, oneOf, record, text } from './check.ts';

export const GUIDANCE_CODES = Object.keys(GUIDANCE) as GuidanceCode[];
/** The kiosk's languages; the first is the default for a centre in China. */
export const KIOSK_LANGUAGES = ['zh-CN', 'en'] as const;
export type KioskLanguage = (typeof KIOSK_LANGUAGES)[number];
export const KIOSK_PHASES = ['idle', 'active', 'tasks', 'done', 'failed'] as const;
/** The steps the progress bar shows, in order. */
export const KIOSK_STEPS = ['identify', 'verify', 'tasks', 'saving', 'receipt'] as const;

/** A name in every kiosk language (centre and task names from the kiosk configuration). */
export const names = obj({ 'zh-CN': text(1, 120), 'en': text(1, 120) });

export const taskView = obj(
  { id: ident, kind: oneOf(['study', 'service', 'questionnaire']) },
  { module: ident, minutes: int(1, 1440), questionnaire: ident, names },
);

/** What the start screen shows about the kiosk: it changes between sessions, never with a person. */
export const kioskInfo = obj({
  /** The kiosk's own language: every session starts in it. */
  language: oneOf(KIOSK_LANGUAGES),
  /** The centre's IANA zone: every time on the screen is shown in it, labelled. */
  zone: text(1, 64),
  centre: names,
  /** Today's reporting window in the centre's zone, minutes after midnight (close <= open: the next day). */
  window: nullable(obj({ open: int(0, 1439), close: int(0, 1439) })),
  /** Which devices can take a person now: none that identifies means the kiosk is out of service. */
  available: obj({ fingerprint: bool, camera: bool, badge: bool }),
  /** A tone on each step and the guidance read aloud. */
  voice: bool,
});

export const receiptView = obj({
  subject: ident,
  centre: ident,
  kiosk: ident,
  /** Kiosk time of the check-in entry, ms. */
  at: int(),
  seq: int(),
  /** The receipt's QR code (MR1: text) as an SVG document, drawn by main with the qrcode package. */
  qrSvg: text(1, 200_000),
  /** The same receipt as a file, for printing or download (JSON). */
  file: text(1, 200_000),
});

export const kioskView = obj({
  phase: oneOf(KIOSK_PHASES),
  step: nullable(oneOf(KIOSK_STEPS)),
  guidance: nullable(oneOf(GUIDANCE_CODES)),
  /** On a retry: the try now starting, of how many. */
  try: nullable(obj({ n: int(1, 9), of: int(1, 9) })),
  /** Seconds left in this wait when the view was sent; main ends the wait itself when they run out. */
  countdown: nullable(int(0, 3600)),
  /** The session's id on the log, for staff: shown on every failure screen. */
  reference: nullable(ident),
  /** In the face step of a serial-camera kiosk: the frame the camera just took (a data: URL), so the person sees what it sees. */
  still: nullable(text(1, 400_000)),
  tasks: list(taskView, 16),
  receipt: nullable(receiptView),
  /** Seconds of no touch after which the screen returns to the start. */
  idleSeconds: int(1, 600),
  kiosk: kioskInfo,
  /** The kiosk's clock when the view was sent, ms (the screen's clock may differ; the demo's runs faster). */
  now: int(),
});

export const taskCompletion = obj({ task: ident }, { minutes: int(0, 1440), answers: record(ident) });

export const kioskMethods = {
  'kiosk.view': { access: 'kiosk', params: obj({}), result: kioskView },
  /** The person touched Start: runs one check-in session. Refused while one is running. */
  'kiosk.begin': { access: 'kiosk', params: obj({}), result: obj({}) },
  'kiosk.submitTasks': { access: 'kiosk', params: obj({ completions: list(taskCompletion, 16) }), result: obj({}) },
  /** Back to the start screen (done, or idle timeout): forgets the session's person. */
  'kiosk.reset': { access: 'kiosk', params: obj({}), result: obj({}) },
  /** The person ends the running session: Cancel, or Call staff (a failure screen with the reference). Nothing is submitted. */
  'kiosk.cancel': { access: 'kiosk', params: obj({ staff: bool }), result: obj({}) },
  /** A touch during a session: the person is still there, so the tasks' countdown and a watched wait's start again. */
  'kiosk.touch': { access: 'kiosk', params: obj({}), result: obj({}) },
  /** A webcam frame main asked for (`kiosk.capture`), as base64 JPEG (at most 2 MB). */
  'kiosk.frame': { access: 'kiosk', params: obj({ id: ident, jpeg: text(4, 2_800_000) }), result: obj({}) },
} as const;

export const kioskEvents = {
  'kiosk.view': kioskView,
  /** Main asks the kiosk screen for one webcam frame (a kiosk whose camera is the screen's webcam). */
  'kiosk.capture': obj({ id: ident }),
} as const;

export type KioskView = Out<typeof kioskView>;
export type TaskView = Out<typeof taskView>;
export type KioskInfo = Out<typeof kioskInfo>;
export type Names = Out<typeof names>;
export type ReceiptView = Out<typeof receiptView>;
export type KioskStep = (typeof KIOSK_STEPS)[number];

/** Which progress step a guidance belongs to. */
export function stepOf(guidance: GuidanceCode): KioskStep | null {
  switch (guidance) {
    case 'place-finger':
    case 'tap-badge':
    case 'finger-again':
    case 'finger-still':
    case 'finger-badge-instead':
    case 'finger-unread-badge':
    case 'badge-unknown':
      return 'identify';
    case 'look-at-camera':
    case 'face-starting':
    case 'face-light':
    case 'face-move':
    case 'face-turn':
    case 'face-blink':
    case 'face-again':
    case 'staff-confirm':
      return 'verify';
    case 'tasks':
      return 'tasks';
    case 'recording':
      return 'saving';
    case 'receipt':
      return 'receipt';
    case 'see-staff':
    case 'devices-down':
    case 'cancelled':
    case 'walked-away':
    case 'staff-called':
      return null;
  }
}
