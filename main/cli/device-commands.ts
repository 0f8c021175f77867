// `muster emulate fingerprint|camera|badge --port PATH`: runs a device emulator on a serial path (one end of a socat
// PTY pair, or a USB-serial adapter wired to a kiosk) and takes control lines on stdin (see `help`), one reply line
// each on stdout. It stops when stdin ends.
import { createInterface } from 'node:readline';
import { badgeControl, cameraControl, fingerprintControl, helpFor } from '../../hardware/control-channel.ts';
import type { EmulatorTiming, SerialEmulator } from '../../hardware/emulator.ts';
import { KeyboardWedge } from '../../hardware/keyboard-wedge.ts';
import { profileFor } from '../../hardware/profiles.ts';
import { type SerialAttachment, attachToSerialPath } from '../../hardware/pty-link.ts';
import { Gt511Emulator } from '../../hardware/gt511-emulator.ts';
import { R30xEmulator } from '../../hardware/r30x-emulator.ts';
import { Vc0706Emulator } from '../../hardware/vc0706-emulator.ts';
import { attachWedgeToSerialPath } from '../../hardware/wedge-link.ts';
import { type Command, type CommandContext, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, optionalString, requireString, stringList } from './options.ts';

const common = {
  port: { type: 'string' },
  baud: { type: 'string' },
  timing: { type: 'string' },
} as const;

const TIMING_HELP = [
  '--port PATH      serial path the emulator opens (e.g. one end of `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`)',
  "--baud N         baud rate (default: the device profile's)",
  '--timing MODE    real: module processing times and wire pacing at --baud (default); wire: wire pacing only,',
  '                 as the benchmarks use (a PTY does not enforce the baud rate, so the emulator does); zero: neither',
];

function timing(context: CommandContext, baudRate: number): EmulatorTiming {
  const mode = optionalString(context.values, 'timing') ?? 'real';
  if (mode === 'real') return { processing: true, baudRate };
  if (mode === 'wire') return { processing: false, baudRate };
  if (mode === 'zero') return { processing: false };
  throw new UsageError(`--timing must be real, wire or zero, got ${JSON.stringify(mode)}`);
}

function baud(context: CommandContext, kind: 'fingerprint' | 'camera', family?: 'r30x' | 'gt511'): number {
  const text = optionalString(context.values, 'baud');
  const rate = text === undefined ? profileFor(kind, family).serial?.baudRate : nonNegativeInteger(text, '--baud');
  if (!rate) throw new UsageError('--baud must be positive');
  return rate;
}

/** Feeds stdin lines to `control` until stdin ends, then detaches. */
async function serve(
  context: CommandContext,
  attachment: SerialAttachment,
  control: (line: string) => string,
  banner: string,
): Promise<number> {
  writeLine(context.io.stdout, banner);
  try {
    for await (const line of createInterface({ input: context.io.stdin, crlfDelay: Infinity })) {
      const reply = control(line);
      if (reply !== '') writeLine(context.io.stdout, reply);
    }
  } finally {
    await attachment.close();
  }
  return 0;
}

async function serveSerial(
  context: CommandContext,
  emulator: SerialEmulator,
  baudRate: number,
  control: (line: string) => string,
  what: string,
): Promise<number> {
  const port = requireString(context.values, 'port');
  const attachment = await attachToSerialPath(emulator, port, baudRate);
  return serve(context, attachment, control, `ready ${what} on ${port} at ${baudRate} baud (type help)`);
}

const fingerprint: Command = {
  path: ['emulate', 'fingerprint'],
  summary: 'Emulate an R30x / AS608 or GT-511C3 fingerprint module on a serial port',
  usage:
    'emulate fingerprint --port PATH [--model R307|R503|GT-511C3] [--capacity N] [--enrol NAME@ID]... [--timing real|wire|zero]',
  details: [
    ...TIMING_HELP,
    '--model NAME     R307 (default), R503 (with the Aura LED ring) or GT-511C3 (the second family, 9600 baud)',
    '--capacity N     template slots (default 1000 for R30x, 200 for GT-511C3)',
    "--enrol NAME@ID  preload NAME's template at slot ID (repeatable)",
    '',
    'Control lines on stdin:',
    ...helpFor('fingerprint').map((l) => `  ${l}`),
  ],
  options: {
    ...common,
    model: { type: 'string' },
    capacity: { type: 'string' },
    enrol: { type: 'string', multiple: true },
  },
  run: (context) => {
    const model = optionalString(context.values, 'model') ?? 'R307';
    const family = model === 'GT-511C3' ? 'gt511' : 'r30x';
    const baudRate = baud(context, 'fingerprint', family);
    const capacityText = optionalString(context.values, 'capacity');
    const capacity = capacityText === undefined ? undefined : nonNegativeInteger(capacityText, '--capacity');
    const options = { timing: timing(context, baudRate), ...(capacity === undefined ? {} : { capacity }) };
    const emulator = family === 'gt511' ? new Gt511Emulator(options) : new R30xEmulator({ model, ...options });
    for (const spec of stringList(context.values, 'enrol')) {
      const match = /^([^@\s]+)@(\d+)$/.exec(spec);
      if (!match?.[1] || !match[2]) throw new UsageError(`--enrol must be NAME@ID, got ${JSON.stringify(spec)}`);
      emulator.enrolDirect(match[1], Number(match[2]));
    }
    return serveSerial(context, emulator, baudRate, fingerprintControl(emulator), `${model} fingerprint module`);
  },
};

const camera: Command = {
  path: ['emulate', 'camera'],
  summary: 'Emulate a VC0706 serial JPEG camera serving the JPEGs of a folder',
  usage: 'emulate camera --port PATH --frames DIR [--timing real|wire|zero]',
  details: [
    ...TIMING_HELP,
    '--frames DIR     folder of *.jpg frames, served in name order',
    '',
    'Control lines on stdin:',
    ...helpFor('camera').map((l) => `  ${l}`),
  ],
  options: { ...common, frames: { type: 'string' } },
  run: (context) => {
    const baudRate = baud(context, 'camera');
    const frames = Vc0706Emulator.framesFrom(requireString(context.values, 'frames'));
    if (frames.length === 0) throw new UsageError('--frames: the folder holds no .jpg files');
    const emulator = new Vc0706Emulator({ frames, timing: timing(context, baudRate) });
    return serveSerial(
      context,
      emulator,
      baudRate,
      cameraControl(emulator),
      `VC0706 camera with ${frames.length} frames`,
    );
  },
};

const badge: Command = {
  path: ['emulate', 'badge'],
  summary: 'Emulate a keyboard-wedge badge reader writing 8-byte HID reports to a serial port',
  usage: 'emulate badge --port PATH [--keypad]',
  details: [
    '--port PATH      serial path the reports are written to (the kiosk reads them with a StreamReportSource)',
    '--keypad         type digits on the keypad, as some readers do',
    '',
    'Control lines on stdin:',
    ...helpFor('badge').map((l) => `  ${l}`),
  ],
  options: { port: { type: 'string' }, keypad: { type: 'boolean' } },
  run: async (context) => {
    const port = requireString(context.values, 'port');
    const wedge = new KeyboardWedge({ keypad: context.values.keypad === true });
    const attachment = await attachWedgeToSerialPath(wedge, port);
    return serve(context, attachment, badgeControl(wedge), `ready badge reader on ${port} (type help)`);
  },
};

export const deviceCommands: readonly Command[] = [fingerprint, camera, badge];
