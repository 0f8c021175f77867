// The kiosk configuration file (JSON): which centre and kiosk this is, where its devices are, the face threshold
// from `muster face calibrate`, the broker and the data directory. Every field is checked and unknown ones are
// refused, so a typo fails at start with the field's path instead of running a kiosk on a default. Example:
//   { "centre": "centre-01", "kiosk": "centre-01/kiosk-1", "dataDir": "/var/lib/muster",
//     "peers": ["centre-01/kiosk-2"], "broker": { "url": "mqtts://hq.example:8883", "passwordFile": "broker.pw" },
//     (or "url": ["mqtts://nats1.example:8883", "mqtts://nats2.example:8883", ...]: a broker cluster's nodes, tried in turn)
//     "face": { "threshold": 0.52 },
//     "devices": { "fingerprint": { "family": "r30x", "path": "/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0" },
//                  "camera": { "path": "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0" },
//                  "badge": { "hid": { "path": "/dev/muster/badge" } } },
//     "screen": { "receiptSeconds": 10, "idleSeconds": 60, "presenceSeconds": 15 } }
//   presenceSeconds: how long a working camera may see no face, with no touch and no finger on the sensor, before a
//   long wait (face step, staff confirming, tasks) ends as a walk-away; it must be shorter than idleSeconds, the
//   wait's end when no device can tell (checkin-workflow.ts, presence-watch.ts).
import { type TInteger, type TObject, type TProperties, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KIOSK_LANGUAGES } from '../../core/api/kiosk-api.ts';
import type { IdentifyMode } from '../../core/checkin/checkin-machine.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import {
  type Decoded,
  type Describe,
  SchemaMismatch,
  decodedAs,
  describeError,
  schemaDecoder,
} from '../../core/schema.ts';
import { isTimeZone } from '../../core/time/zoned-time.ts';
import type { HidTarget } from '../../drivers/badge/node-hid-source.ts';
import { ImageSize, type Resolution } from '../../drivers/camera/vc0706-codec.ts';
import type { SerialTarget } from '../../drivers/serial-transport.ts';
import type { BackendChoice } from '../../face/backend.ts';
import type { ChallengeKind } from '../../face/challenge.ts';
import { DEFAULT_DETECTOR, DETECTOR_NAMES } from '../../face/detectors.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { profileFor } from '../../hardware/profiles.ts';

/**
 * The configuration as the kiosk uses it: the file decoded by its schema, with every default filled in and every
 * path resolved against the file. `source` names the file in messages.
 */
export type KioskConfig = Decoded<ReturnType<typeof kioskConfigSchema>>;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The default presence window: well inside the shortest long wait (the face step's 30 s, the tasks' 60 s). */
const PRESENCE_SECONDS = 15;

// The file's shape as TypeBox schemas (core/schema.ts), each error naming the file and the field's path; what a
// schema cannot say (a kiosk of its own centre, a path or a usb id) is a rule in the transform that reads it.
const TEXT = Type.String({ minLength: 1, maxLength: 4096, errorMessage: 'expected a non-empty string' });
const CONFIG_ID = Type.String({
  pattern: ID.source,
  errorMessage: 'expected letters, digits, . _ - (at most 64)',
  showValue: true,
});
const USB_ID = Type.String({
  pattern: '^[0-9a-f]{4}$',
  errorMessage: 'expected 4 lower-case hex digits',
  showValue: true,
});
const BOOLEAN = Type.Boolean({ errorMessage: 'expected true or false' });
const BROKER_URL = Type.String({
  pattern: '^mqtts?://[^/\\s]+$',
  errorMessage: 'expected mqtt://host:port or mqtts://host:port',
  showValue: true,
});
const THRESHOLD = decodedAs(Type.Number({ errorMessage: 'expected a number' }), (threshold) => {
  if (!(threshold > 0 && threshold < 2))
    throw new SchemaMismatch('', `expected a distance between 0 and 2 (from muster face calibrate), got ${threshold}`);
  return threshold;
});
const BAUD_RATES = [9600, 19200, 38400, 57600, 115200] as const;
const BAUD_RATE = Type.Unsafe<(typeof BAUD_RATES)[number]>(
  Type.Union(
    BAUD_RATES.map((rate) => Type.Literal(rate)),
    { errorMessage: 'expected 9600, 19200, 38400, 57600 or 115200', showValue: true },
  ),
);
const ZONE = decodedAs(TEXT, (zone) => {
  if (!isTimeZone(zone))
    throw new SchemaMismatch('', `expected an IANA time zone such as Asia/Shanghai, got ${JSON.stringify(zone)}`);
  return zone;
});

function choice<const T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      { errorMessage: `expected one of ${values.join(', ')}`, showValue: true },
    ),
  );
}

function section<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, errorMessage: 'expected an object' });
}

function whole(min: number, max: number, unit: string): TInteger {
  return Type.Integer({
    minimum: min,
    maximum: max,
    errorMessage: `expected whole ${unit} between ${min} and ${max}`,
    showValue: true,
  });
}

const NAME = Type.String({ minLength: 1, maxLength: 120, errorMessage: 'expected 1-120 characters' });
const NAMES = section({ 'zh-CN': NAME, 'en': NAME });

const IDENTIFY_MODES = ['fingerprint-search', 'badge-then-finger'] as const satisfies readonly IdentifyMode[];
const BACKENDS = ['auto', 'tensorflow', 'wasm'] as const satisfies readonly BackendChoice[];
const CHALLENGES = ['none', 'blink', 'turn-head'] as const satisfies readonly (ChallengeKind | 'none')[];
const RESOLUTIONS = Object.keys(ImageSize) as Resolution[];

/** A relative path in the file is relative to the file. */
type ResolvePath = (file: string) => string;

/** A serial device's port: a path or a USB id (vendor, product, serial number), and its baud rate. */
function serialDevice<S extends TSchema, P extends TProperties>(path: S, properties: P) {
  return section({
    ...properties,
    path: Type.Optional(path),
    usb: Type.Optional(section({ vendorId: USB_ID, productId: USB_ID, serialNumber: Type.Optional(TEXT) })),
    baudRate: Type.Optional(BAUD_RATE),
  });
}

function serialTarget(
  path: string | undefined,
  usb: Extract<SerialTarget, { vendorId: string }> | undefined,
): SerialTarget {
  if (path !== undefined && usb === undefined) return { path };
  if (usb !== undefined && path === undefined) return usb;
  throw new SchemaMismatch('', 'give either "path" (e.g. /dev/serial/by-id/...) or "usb" {vendorId, productId}');
}

function devicesSchema(path: ResolvePath) {
  const PATH = decodedAs(TEXT, path);
  const fingerprint = decodedAs(
    serialDevice(PATH, { family: choice(['r30x', 'gt511']), model: Type.Optional(TEXT) }),
    ({ path, usb, baudRate, ...settings }) => ({
      ...settings,
      target: serialTarget(path, usb),
      baudRate: baudRate ?? profileFor('fingerprint', settings.family).serial?.baudRate ?? 57600,
    }),
  );
  const camera = decodedAs(
    serialDevice(PATH, {
      /** Bytes per frame read (a multiple of 8; default 32, which every module and adapter takes). */
      chunkSize: Type.Optional(
        Type.Integer({
          minimum: 8,
          maximum: 8192,
          multipleOf: 8,
          errorMessage: 'expected a multiple of 8 from 8 to 8192',
          showValue: true,
        }),
      ),
      /**
       * The image size the camera is set to at start (default: the module's own, 640x480). A 640x480 JPEG takes
       * about 4.5 s at 115200 baud, 320x240 about 1.2 s: the kiosk bench's finger-to-receipt time hangs on it.
       */
      resolution: Type.Optional(choice(RESOLUTIONS)),
    }),
    ({ path, usb, baudRate, ...settings }) => ({
      ...settings,
      target: serialTarget(path, usb),
      baudRate: baudRate ?? profileFor('camera').serial?.baudRate ?? 38400,
    }),
  );
  /** A USB HID reader (node-hid), or a tty carrying its 8-byte reports (`muster emulate badge` on a PTY). */
  const badge = decodedAs(
    section({
      hid: Type.Optional(
        section({ path: Type.Optional(PATH), vendorId: Type.Optional(USB_ID), productId: Type.Optional(USB_ID) }),
      ),
      tty: Type.Optional(PATH),
      mode: Type.Optional(choice(['keyboard', 'hex', 'ascii'])),
      exclusive: Type.Optional(BOOLEAN),
    }),
    ({ hid, tty, mode, exclusive }) => {
      if ((hid === undefined) === (tty === undefined))
        throw new SchemaMismatch(
          '',
          'give either "hid" {path} or {vendorId, productId}, or "tty" (a tty carrying 8-byte reports)',
        );
      if (tty !== undefined) {
        if (mode !== undefined || exclusive !== undefined)
          throw new SchemaMismatch('', '"mode" and "exclusive" apply to a "hid" reader only');
        return { kind: 'tty' as const, path: tty };
      }
      return {
        kind: 'hid' as const,
        target: hidTarget(hid ?? {}),
        mode: mode ?? 'keyboard',
        exclusive: exclusive ?? false,
      };
    },
  );
  return decodedAs(
    section({ fingerprint: Type.Optional(fingerprint), camera: Type.Optional(camera), badge: Type.Optional(badge) }),
    (devices) => {
      if (!devices.fingerprint && !devices.badge)
        throw new SchemaMismatch('', 'a kiosk needs a fingerprint sensor or a badge reader to identify people');
      return devices;
    },
  );
}

function hidTarget(hid: {
  readonly path?: string;
  readonly vendorId?: string;
  readonly productId?: string;
}): HidTarget {
  if (hid.path !== undefined) {
    if (hid.vendorId !== undefined || hid.productId !== undefined)
      throw new SchemaMismatch('.hid', 'give either "path" or vendorId and productId');
    return { path: hid.path };
  }
  if (hid.vendorId === undefined) throw new SchemaMismatch('.hid.vendorId', 'missing (expected a string)');
  if (hid.productId === undefined) throw new SchemaMismatch('.hid.productId', 'missing (expected a string)');
  return { vendorId: Number.parseInt(hid.vendorId, 16), productId: Number.parseInt(hid.productId, 16) };
}

/** The configuration file's schema, its paths resolved against `baseDir`. */
function kioskConfigSchema(source: string, baseDir: string) {
  const path: ResolvePath = (file) => resolve(baseDir, file);
  const PATH = decodedAs(TEXT, path);
  const file = section({
    centre: CONFIG_ID,
    /** The kiosk's origin, `<centre>/<name>`: its log's name. */
    kiosk: TEXT,
    /** Logs, keys, the enrolment table and the encrypted face templates; relative to the file. */
    dataDir: Type.Optional(PATH),
    identify: Type.Optional(choice(IDENTIFY_MODES)),
    peers: Type.Optional(Type.Array(TEXT, { maxItems: 64, errorMessage: 'expected a list of at most 64 items' })),
    /** HQ's registry public key file (from provisioning): the kiosk follows HQ's registry and refuses revoked keys. */
    registryPub: Type.Optional(PATH),
    /** One broker URL, or the nodes of a broker cluster (net/mqtt-link.ts fails over between them). */
    broker: section({
      url: Type.Union(
        [BROKER_URL, Type.Array(BROKER_URL, { minItems: 1, maxItems: 64, errorMessage: 'expected 1-64 broker URLs' })],
        { errorMessage: 'expected a broker URL or a list of them' },
      ),
      username: Type.Optional(TEXT),
      passwordFile: Type.Optional(PATH),
    }),
    face: Type.Optional(
      section({
        threshold: Type.Optional(THRESHOLD),
        detector: Type.Optional(choice(DETECTOR_NAMES)),
        backend: Type.Optional(choice(BACKENDS)),
        /** The active liveness challenge each face try runs over a sequence of frames (default none). */
        challenge: Type.Optional(choice(CHALLENGES)),
        /** Take the face step's first frame during the fingerprint step (main/kiosk/face-lookahead.ts; default true). */
        lookahead: Type.Optional(BOOLEAN),
      }),
    ),
    devices: devicesSchema(path),
    timeouts: Type.Optional(
      section({
        fingerMs: Type.Optional(whole(100, 600_000, 'milliseconds')),
        badgeMs: Type.Optional(whole(100, 600_000, 'milliseconds')),
      }),
    ),
    /** The screen's language: every session starts in it. Default zh-CN (a centre in China). */
    language: Type.Optional(choice(KIOSK_LANGUAGES)),
    /** The centre's IANA time zone, for every time the screen shows. Default the machine's. */
    zone: Type.Optional(ZONE),
    /** The centre's and the tasks' names in every kiosk language (tasks by study module, questionnaire or task id). */
    names: Type.Optional(
      section({
        centre: Type.Optional(NAMES),
        tasks: Type.Optional(
          Type.Record(Type.String(), NAMES, { maxProperties: 256, errorMessage: 'expected at most 256 names' }),
        ),
      }),
    ),
    /**
     * Seconds the receipt stays up and the tasks wait for a touch; seconds the camera may see no face (with no
     * touch and no finger) on a long wait before the person is taken to have walked away; tones and speech.
     */
    screen: Type.Optional(
      section({
        receiptSeconds: Type.Optional(whole(5, 600, 'seconds')),
        idleSeconds: Type.Optional(whole(5, 600, 'seconds')),
        presenceSeconds: Type.Optional(whole(3, 599, 'seconds')),
        voice: Type.Optional(BOOLEAN),
      }),
    ),
  });
  return decodedAs(file, (c) => {
    const { centre, kiosk } = c;
    if (!kiosk.startsWith(`${centre}/`) || !ID.test(kiosk.slice(centre.length + 1)))
      throw new SchemaMismatch(
        '.kiosk',
        `expected "${centre}/<name>" (letters, digits, . _ -), got ${JSON.stringify(kiosk)}`,
      );
    const peers = c.peers ?? [];
    peers.forEach((peer, i) => {
      if (!peer.startsWith(`${centre}/`) || peer === kiosk || !ID.test(peer.slice(centre.length + 1)))
        throw new SchemaMismatch(`.peers[${i}]`, `expected another kiosk of ${centre}, got ${JSON.stringify(peer)}`);
    });
    const tasks = c.names?.tasks ?? {};
    for (const key of Object.keys(tasks))
      if (!ID.test(key))
        throw new SchemaMismatch(
          '.names.tasks',
          `expected task, module or questionnaire ids as keys, got ${JSON.stringify(key)}`,
        );
    const face = c.face ?? {};
    const idleSeconds = c.screen?.idleSeconds ?? 60;
    const presenceSeconds = c.screen?.presenceSeconds ?? Math.min(PRESENCE_SECONDS, idleSeconds - 1);
    // A presence window as long as the idle wait would never end a session sooner.
    if (presenceSeconds >= idleSeconds)
      throw new SchemaMismatch(
        '.screen.presenceSeconds',
        `expected fewer seconds than screen.idleSeconds (${idleSeconds}), got ${presenceSeconds}`,
      );
    return {
      source,
      centre,
      kiosk,
      dataDir: c.dataDir ?? resolve(baseDir),
      identify: c.identify ?? 'fingerprint-search',
      peers,
      ...(c.registryPub === undefined ? {} : { registryPub: c.registryPub }),
      broker: c.broker,
      face: {
        threshold: face.threshold ?? DEFAULT_MATCH_THRESHOLD,
        detector: face.detector ?? DEFAULT_DETECTOR,
        backend: face.backend ?? 'auto',
        challenge: face.challenge ?? 'none',
        lookahead: face.lookahead ?? true,
      },
      devices: c.devices,
      timeouts: { fingerMs: c.timeouts?.fingerMs ?? 10_000, badgeMs: c.timeouts?.badgeMs ?? 15_000 },
      language: c.language ?? 'zh-CN',
      zone: c.zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      names: { ...(c.names?.centre === undefined ? {} : { centre: c.names.centre }), tasks },
      screen: {
        receiptSeconds: c.screen?.receiptSeconds ?? 10,
        idleSeconds,
        presenceSeconds,
        voice: c.screen?.voice ?? false,
      },
    };
  });
}

const KIND: Readonly<Record<string, string>> = {
  string: 'a string',
  object: 'an object',
  number: 'a number',
  integer: 'a number',
  boolean: 'true or false',
  array: 'a list',
};

/** A missing field says so; an unknown one lists the known; a wrong choice or pattern shows the value given. */
const describe: Describe = (error) => {
  const { schema, value } = error;
  if (error.type === ValueErrorType.ObjectAdditionalProperties) {
    const known: unknown = schema.properties;
    return `unknown field (expected one of ${Object.keys(typeof known === 'object' && known !== null ? known : {}).join(', ')})`;
  }
  const type: unknown = schema.type;
  if (value === undefined)
    return `missing (expected ${typeof type === 'string' ? (KIND[type] ?? 'a value') : 'a value'})`;
  const problem = describeError(error);
  return schema.showValue === true ? `${problem}, got ${JSON.stringify(value)}` : problem;
};

export function loadKioskConfig(file: string): KioskConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MusterError('bad-config', `cannot read kiosk configuration ${file}: ${errorMessage(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MusterError('bad-config', `${file}: not JSON: ${errorMessage(error)}`);
  }
  return parseKioskConfig(value, file, dirname(resolve(file)));
}

/** Checks a parsed configuration; relative paths resolve against `baseDir`. */
export function parseKioskConfig(value: unknown, source: string, baseDir: string): KioskConfig {
  try {
    return schemaDecoder(kioskConfigSchema(source, baseDir), describe)(value);
  } catch (error) {
    if (!(error instanceof SchemaMismatch)) throw error;
    const where = error.path.replace(/^\./, '');
    throw new MusterError('bad-config', `${source}: ${where === '' ? '' : `${where}: `}${error.problem}`);
  }
}
