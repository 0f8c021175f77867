// The kiosk screen's messages. Main keeps the screen's state (KioskView) and pushes it whole on every change,
// so a reloaded or restarted renderer shows exactly where the session is. The view holds only the current
// session's person (their tasks and receipt) and is cleared when the session ends or times out.
import { GUIDANCE, type GuidanceCode } from '../checkin/guidance.ts';
import { type Out, ident, int, list, nullable, obj, oneOf, record, text } from './check.ts';

export const GUIDANCE_CODES = Object.keys(GUIDANCE) as GuidanceCode[];
export const KIOSK_PHASES = ['idle', 'active', 'tasks', 'done', 'failed'] as const;
/** The steps the progress bar shows, in order. */
export const KIOSK_STEPS = ['identify', 'verify', 'tasks', 'saving', 'receipt'] as const;

export const taskView = obj(
  { id: ident, kind: oneOf(['study', 'service', 'questionnaire']) },
  { module: ident, minutes: int(1, 1440), questionnaire: ident },
);

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
  tasks: list(taskView, 16),
  receipt: nullable(receiptView),
  /** Seconds of no touch after which the screen returns to the start. */
  idleSeconds: int(5, 600),
});

export const taskCompletion = obj({ task: ident }, { minutes: int(0, 1440), answers: record(ident) });

export const kioskMethods = {
  'kiosk.view': { access: 'kiosk', params: obj({}), result: kioskView },
  /** The person touched Start: runs one check-in session. Refused while one is running. */
  'kiosk.begin': { access: 'kiosk', params: obj({}), result: obj({}) },
  'kiosk.submitTasks': { access: 'kiosk', params: obj({ completions: list(taskCompletion, 16) }), result: obj({}) },
  /** Back to the start screen (done, or idle timeout): forgets the session's person. */
  'kiosk.reset': { access: 'kiosk', params: obj({}), result: obj({}) },
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
    case 'face-light':
    case 'face-move':
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
      return null;
  }
}
