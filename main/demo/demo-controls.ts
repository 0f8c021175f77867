// `muster demo` control lines (stdin, demo mode only): anyone can play a parolee on an emulated kiosk and see
// every failure path. Each line is one command; the answer is one line starting "ok" or "error".
//   finger KIOSK SUBJECT|none        that person's finger on the kiosk's sensor (none: lift it)
//   face KIOSK SUBJECT|impostor|none that person's face before the camera (impostor: someone else's; none: nobody)
//   card KIOSK SUBJECT               that person's card tapped on the reader
//   unplug|replug KIOSK fingerprint|camera|badge
//   clock +MINUTES                   the demo clock forward
//   help
export type DemoDevice = 'fingerprint' | 'camera' | 'badge';

export type DemoControl =
  | { readonly kind: 'finger' | 'face' | 'card'; readonly kiosk: string; readonly subject: string }
  | { readonly kind: 'unplug' | 'replug'; readonly kiosk: string; readonly device: DemoDevice }
  | { readonly kind: 'clock'; readonly minutes: number }
  | { readonly kind: 'help' };

export const DEMO_CONTROL_HELP = [
  "finger KIOSK SUBJECT|none         put that person's finger on the kiosk's sensor (none: lift it)",
  "face KIOSK SUBJECT|impostor|none  put that person's face before the camera (impostor: someone else's)",
  "card KIOSK SUBJECT                tap that person's card on the reader",
  'unplug|replug KIOSK fingerprint|camera|badge',
  'clock +MINUTES                    move the demo clock forward (1-720 minutes)',
  'KIOSK is the kiosk id (centre-01/kiosk-1) or its number (1); SUBJECT a person id (p-0007)',
].join('\n');

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses one control line; throws a TypeError that says what is wrong and what was expected. */
export function parseDemoControl(line: string, kiosks: readonly string[]): DemoControl {
  const [verb = '', ...args] = line.trim().split(/\s+/);
  const kiosk = (value: string | undefined): string => {
    const found = kiosks.find((k, i) => k === value || String(i + 1) === value);
    if (!found)
      throw new TypeError(
        `unknown kiosk ${JSON.stringify(value ?? '')}: expected one of ${kiosks.join(', ')} (or 1-${kiosks.length})`,
      );
    return found;
  };
  const subject = (value: string | undefined, extra: readonly string[]): string => {
    if (value === undefined || (!ID.test(value) && !extra.includes(value)))
      throw new TypeError(
        `expected a person id${extra.length > 0 ? ` or ${extra.join(' or ')}` : ''}, got ${JSON.stringify(value ?? '')}`,
      );
    return value;
  };
  const arity = (n: number): void => {
    if (args.length !== n) throw new TypeError(`${verb} takes ${n} argument${n === 1 ? '' : 's'} (help lists them)`);
  };
  switch (verb) {
    case 'finger':
    case 'face':
    case 'card':
      arity(2);
      return {
        kind: verb,
        kiosk: kiosk(args[0]),
        subject: subject(args[1], verb === 'card' ? [] : verb === 'face' ? ['none', 'impostor'] : ['none']),
      };
    case 'unplug':
    case 'replug': {
      arity(2);
      const device = args[1];
      if (device !== 'fingerprint' && device !== 'camera' && device !== 'badge')
        throw new TypeError(`expected fingerprint, camera or badge, got ${JSON.stringify(device ?? '')}`);
      return { kind: verb, kiosk: kiosk(args[0]), device };
    }
    case 'clock': {
      arity(1);
      const minutes = /^\+(\d{1,3})$/.exec(args[0] ?? '');
      const n = Number(minutes?.[1]);
      if (!minutes || n < 1 || n > 720)
        throw new TypeError(`expected +MINUTES (1-720), got ${JSON.stringify(args[0] ?? '')}`);
      return { kind: 'clock', minutes: n };
    }
    case 'help':
      return { kind: 'help' };
    default:
      throw new TypeError(`unknown command ${JSON.stringify(verb)}: help lists them`);
  }
}
