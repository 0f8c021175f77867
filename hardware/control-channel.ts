// The emulators' control channel: one command a line (stdin of `muster emulate`), one reply line each, "ok ..." or
// "error ...". Documented in CONTROL_HELP; the same parser serves tests and people at a terminal.
import { FAULTS, type Fault, type SerialEmulator } from './emulator.ts';
import type { KeyboardWedge } from './keyboard-wedge.ts';
import type { FingerprintEmulator } from './finger.ts';
import type { Vc0706Emulator } from './vc0706-emulator.ts';

export const CONTROL_HELP: Readonly<Record<'fingerprint' | 'camera' | 'badge', readonly string[]>> = {
  fingerprint: [
    'finger NAME        put the finger called NAME on the glass (any word: alice, 3, ...)',
    'finger none        take the finger off',
    'finger poor        a smudged finger: the image is unusable (R30x code 07, GT-511 NACK 100C)',
    "enrol NAME ID      write NAME's template straight into slot ID",
    'clear              empty the template library',
    'status             templates in flash and what is on the glass',
  ],
  camera: [
    'frame next         move the live view to the next frame',
    'frame N            move the live view to frame N (0-based)',
    'frame hold         keep the live view on its frame after each capture (a photo held up to the camera)',
    'frame move         move on to the next frame after each capture again (a moving person: the default)',
    'status             frame count and current frame size',
  ],
  badge: [
    'card NUMBER        tap a card: types NUMBER then Enter',
    'rollover           send a keyboard rollover-error report',
  ],
};

const SERIAL_HELP = [
  `fault KIND         the next reply gets a fault: ${FAULTS.join(', ')}`,
  'unplug / replug    the device stops (and resumes) answering',
];

export function helpFor(kind: keyof typeof CONTROL_HELP): string[] {
  return [...CONTROL_HELP[kind], ...(kind === 'badge' ? [] : SERIAL_HELP), 'help               this list'];
}

type Handler = (words: readonly string[]) => string;

/** Runs one control line against a fingerprint emulator. */
export function fingerprintControl(emulator: FingerprintEmulator & SerialEmulator): (line: string) => string {
  return dispatch('fingerprint', {
    finger: ([what]) => {
      if (what === undefined) return 'error: finger needs NAME, none or poor';
      emulator.finger =
        what === 'none' ? { kind: 'none' } : what === 'poor' ? { kind: 'poor' } : { kind: 'finger', name: what };
      return `ok finger ${what}`;
    },
    enrol: ([name, page]) => {
      if (name === undefined || page === undefined || !/^\d+$/.test(page)) return 'error: enrol needs NAME ID';
      emulator.enrolDirect(name, Number(page));
      return `ok enrolled ${name} at ${page}`;
    },
    clear: () => {
      emulator.library.clear();
      return 'ok cleared';
    },
    status: () =>
      `ok templates ${emulator.library.size} finger ${emulator.finger.kind === 'finger' ? emulator.finger.name : emulator.finger.kind}`,
    ...serialHandlers(emulator),
  });
}

export function cameraControl(emulator: Vc0706Emulator): (line: string) => string {
  return dispatch('camera', {
    frame: ([which]) => {
      if (which === 'next') emulator.nextFrame();
      else if (which === 'hold' || which === 'move') emulator.hold = which === 'hold';
      else if (which !== undefined && /^\d+$/.test(which)) emulator.nextFrame(Number(which));
      else return 'error: frame needs next, N, hold or move';
      return `ok frame of ${emulator.current.length} bytes`;
    },
    status: () => `ok frame of ${emulator.current.length} bytes`,
    ...serialHandlers(emulator),
  });
}

export function badgeControl(wedge: KeyboardWedge): (line: string) => string {
  return dispatch('badge', {
    card: ([number]) => {
      if (number === undefined || !/^[0-9A-Za-z]{1,64}$/.test(number))
        return 'error: card needs a number of letters and digits';
      wedge.tap(number);
      return `ok tapped ${number}`;
    },
    rollover: () => {
      wedge.rollover();
      return 'ok rollover';
    },
  });
}

function serialHandlers(emulator: SerialEmulator): Record<string, Handler> {
  return {
    fault: ([kind]) => {
      if (!FAULTS.includes(kind as Fault)) return `error: fault needs one of ${FAULTS.join(', ')}`;
      emulator.inject(kind as Fault);
      return `ok fault ${kind}`;
    },
    unplug: () => {
      emulator.unplug();
      return 'ok unplugged';
    },
    replug: () => {
      emulator.replug();
      return 'ok replugged';
    },
  };
}

function dispatch(kind: keyof typeof CONTROL_HELP, handlers: Record<string, Handler>): (line: string) => string {
  return (line) => {
    const [command, ...words] = line.trim().split(/\s+/);
    if (command === undefined || command === '') return '';
    if (command === 'help') return helpFor(kind).join('\n');
    const handler = handlers[command];
    if (!handler) return `error: unknown command ${JSON.stringify(command)} (try help)`;
    try {
      return handler(words);
    } catch (error) {
      return `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}
