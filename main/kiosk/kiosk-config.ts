// The kiosk configuration file (JSON): which centre and kiosk this is, where its devices are, the face threshold
// from `muster face calibrate`, the broker and the data directory. Every field is checked and unknown ones are
// refused, so a typo fails at start with the field's path instead of running a kiosk on a default. Example:
//   { "centre": "centre-01", "kiosk": "centre-01/kiosk-1", "dataDir": "/var/lib/muster",
//     "peers": ["centre-01/kiosk-2"], "broker": { "url": "mqtts://hq.example:8883", "passwordFile": "broker.pw" },
//     (or "url": ["mqtts://nats1.example:8883", "mqtts://nats2.example:8883", ...]: a broker cluster's nodes, tried in turn)
//     "face": { "threshold": 0.52 },
//     "devices": { "fingerprint": { "family": "r30x", "path": "/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0" },
//                  "camera": { "path": "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0" },
//                  "badge": { "hid": { "path": "/dev/muster/badge" } } } }
import {
  type StaticDecode,
  type TInteger,
  type TObject,
  type TProperties,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KIOSK_LANGUAGES, type KioskLanguage, type Names } from '../../core/api/kiosk-api.ts';
import type { IdentifyMode } from '../../core/checkin/checkin-machine.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { type Describe, SchemaMismatch, describeError, schemaDecoder } from '../../core/schema.ts';
import { isTimeZone } from '../../core/time/zoned-time.ts';
import type { HidTarget } from '../../drivers/badge/node-hid-source.ts';
import { ImageSize, type Resolution } from '../../drivers/camera/vc0706-codec.ts';
import type { SerialTarget } from '../../drivers/serial-transport.ts';
import type { BackendChoice } from '../../face/backend.ts';
import type { ChallengeKind } from '../../face/challenge.ts';
import { DEFAULT_DETECTOR, DETECTOR_NAMES, type DetectorName } from '../../face/detectors.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { profileFor } from '../../hardware/profiles.ts';

export interface SerialDeviceSettings {
  readonly target: SerialTarget;
  readonly baudRate: number;
}

export interface CameraSettings extends SerialDeviceSettings {
  /** Bytes per frame read (a multiple of 8; default 32, which every module and adapter takes). */
  readonly chunkSize?: number;
  /**
   * The image size the camera is set to at start (default: the module's own, 640x480). A 640x480 JPEG takes
   * about 4.5 s at 115200 baud, 320x240 about 1.2 s: the kiosk bench's finger-to-receipt time hangs on it.
   */
  readonly resolution?: Resolution;
}

export interface FingerprintSettings extends SerialDeviceSettings {
  readonly family: 'r30x' | 'gt511';
  readonly model?: string;
}

/** A USB HID reader (node-hid), or a tty carrying its 8-byte reports (`muster emulate badge` on a PTY). */
export type BadgeSettings =
  | {
      readonly kind: 'hid';
      readonly target: HidTarget;
      readonly mode: 'keyboard' | 'hex' | 'ascii';
      readonly exclusive: boolean;
    }
  | { readonly kind: 'tty'; readonly path: string };

export interface KioskConfig {
  /** Where the configuration came from, for messages. */
  readonly source: string;
  readonly centre: string;
  /** The kiosk's origin, `<centre>/<name>`: its log's name. */
  readonly kiosk: string;
  /** Logs, keys, the enrolment table and the encrypted face templates; relative to the file. */
  readonly dataDir: string;
  readonly identify: IdentifyMode;
  readonly peers: readonly string[];
  /** HQ's registry public key file (from provisioning): the kiosk follows HQ's registry and refuses revoked keys. */
  readonly registryPub?: string;
  /** One broker URL, or the nodes of a broker cluster (net/mqtt-link.ts fails over between them). */
  readonly broker: {
    readonly url: string | readonly string[];
    readonly username?: string;
    readonly passwordFile?: string;
  };
  readonly face: {
    readonly threshold: number;
    readonly detector: DetectorName;
    readonly backend: BackendChoice;
    /** The active liveness challenge each face try runs over a sequence of frames (default none). */
    readonly challenge: ChallengeKind | 'none';
    /** Take the face step's first frame during the fingerprint step (main/kiosk/face-lookahead.ts; default true). */
    readonly lookahead: boolean;
  };
  readonly devices: {
    readonly fingerprint?: FingerprintSettings;
    readonly camera?: CameraSettings;
    readonly badge?: BadgeSettings;
  };
  readonly timeouts: { readonly fingerMs: number; readonly badgeMs: number };
  /** The screen's language: every session starts in it. Default zh-CN (a centre in China). */
  readonly language: KioskLanguage;
  /** The centre's IANA time zone, for every time the screen shows. Default the machine's. */
  readonly zone: string;
  /** The centre's and the tasks' names in every kiosk language (tasks by study module, questionnaire or task id). */
  readonly names: { readonly centre?: Names; readonly tasks: Readonly<Record<string, Names>> };
  /** Seconds the receipt stays up and the tasks wait for a touch; tones and speech. */
  readonly screen: { readonly receiptSeconds: number; readonly idleSeconds: number; readonly voice: boolean };
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// The file's shape as TypeBox schemas (core/schema.ts); what a schema cannot say (a kiosk of its own centre, a
// path or a usb id, a threshold's range) is checked after, each error naming the file and the field's path.
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
const NUMBER = Type.Number({ errorMessage: 'expected a number' });
const BOOLEAN = Type.Boolean({ errorMessage: 'expected true or false' });
const BROKER_URL = Type.String({
  pattern: '^mqtts?://[^/\\s]+$',
  errorMessage: 'expected mqtt://host:port or mqtts://host:port',
  showValue: true,
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

const NAMES = section({
  'zh-CN': Type.String({ minLength: 1, maxLength: 120, errorMessage: 'expected 1-120 characters' }),
  'en': Type.String({ minLength: 1, maxLength: 120, errorMessage: 'expected 1-120 characters' }),
});

const SERIAL = {
  path: Type.Optional(TEXT),
  usb: Type.Optional(section({ vendorId: USB_ID, productId: USB_ID, serialNumber: Type.Optional(TEXT) })),
  baudRate: Type.Optional(NUMBER),
};

const KIOSK_FILE = section({
  centre: CONFIG_ID,
  kiosk: TEXT,
  dataDir: Type.Optional(TEXT),
  identify: Type.Optional(choice(['fingerprint-search', 'badge-then-finger'])),
  peers: Type.Optional(Type.Array(TEXT, { maxItems: 64, errorMessage: 'expected a list of at most 64 items' })),
  registryPub: Type.Optional(TEXT),
  broker: section({
    url: Type.Union(
      [BROKER_URL, Type.Array(BROKER_URL, { minItems: 1, maxItems: 64, errorMessage: 'expected 1-64 broker URLs' })],
      { errorMessage: 'expected a broker URL or a list of them' },
    ),
    username: Type.Optional(TEXT),
    passwordFile: Type.Optional(TEXT),
  }),
  face: Type.Optional(
    section({
      threshold: Type.Optional(NUMBER),
      detector: Type.Optional(choice(DETECTOR_NAMES)),
      backend: Type.Optional(choice(['auto', 'tensorflow', 'wasm'])),
      challenge: Type.Optional(choice(['none', 'blink', 'turn-head'])),
      lookahead: Type.Optional(BOOLEAN),
    }),
  ),
  devices: section({
    fingerprint: Type.Optional(section({ family: choice(['r30x', 'gt511']), model: Type.Optional(TEXT), ...SERIAL })),
    camera: Type.Optional(
      section({
        ...SERIAL,
        chunkSize: Type.Optional(
          Type.Integer({
            minimum: 8,
            maximum: 8192,
            multipleOf: 8,
            errorMessage: 'expected a multiple of 8 from 8 to 8192',
            showValue: true,
          }),
        ),
        resolution: Type.Optional(choice(Object.keys(ImageSize) as Resolution[])),
      }),
    ),
    badge: Type.Optional(
      section({
        hid: Type.Optional(
          section({ path: Type.Optional(TEXT), vendorId: Type.Optional(USB_ID), productId: Type.Optional(USB_ID) }),
        ),
        tty: Type.Optional(TEXT),
        mode: Type.Optional(choice(['keyboard', 'hex', 'ascii'])),
        exclusive: Type.Optional(BOOLEAN),
      }),
    ),
  }),
  timeouts: Type.Optional(
    section({
      fingerMs: Type.Optional(whole(100, 600_000, 'milliseconds')),
      badgeMs: Type.Optional(whole(100, 600_000, 'milliseconds')),
    }),
  ),
  language: Type.Optional(choice(KIOSK_LANGUAGES)),
  zone: Type.Optional(TEXT),
  names: Type.Optional(
    section({
      centre: Type.Optional(NAMES),
      tasks: Type.Optional(
        Type.Record(Type.String(), NAMES, { maxProperties: 256, errorMessage: 'expected at most 256 names' }),
      ),
    }),
  ),
  screen: Type.Optional(
    section({
      receiptSeconds: Type.Optional(whole(5, 600, 'seconds')),
      idleSeconds: Type.Optional(whole(5, 600, 'seconds')),
      voice: Type.Optional(BOOLEAN),
    }),
  ),
});

type KioskFile = StaticDecode<typeof KIOSK_FILE>;

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

const readKioskFile = schemaDecoder(KIOSK_FILE, describe);

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
  const fail = (where: string, problem: string): never => {
    throw new MusterError('bad-config', `${source}: ${where === '' ? '' : `${where}: `}${problem}`);
  };
  let c: KioskFile;
  try {
    c = readKioskFile(value);
  } catch (error) {
    if (error instanceof SchemaMismatch) return fail(error.path.replace(/^\./, ''), error.problem);
    throw error;
  }
  const path = (file: string): string => resolve(baseDir, file);
  const { centre, kiosk } = c;
  const name = kiosk.slice(centre.length + 1);
  if (!kiosk.startsWith(`${centre}/`) || !ID.test(name))
    fail('kiosk', `expected "${centre}/<name>" (letters, digits, . _ -), got ${JSON.stringify(kiosk)}`);
  const peers = (c.peers ?? []).map((peer, i) => {
    if (!peer.startsWith(`${centre}/`) || peer === kiosk || !ID.test(peer.slice(centre.length + 1)))
      fail(`peers[${i}]`, `expected another kiosk of ${centre}, got ${JSON.stringify(peer)}`);
    return peer;
  });

  const { url, username, passwordFile } = c.broker;
  const broker = {
    url,
    ...(username === undefined ? {} : { username }),
    ...(passwordFile === undefined ? {} : { passwordFile: path(passwordFile) }),
  };

  const f = c.face ?? {};
  const threshold = f.threshold ?? DEFAULT_MATCH_THRESHOLD;
  if (!(threshold > 0 && threshold < 2))
    fail('face.threshold', `expected a distance between 0 and 2 (from muster face calibrate), got ${threshold}`);
  const face = {
    threshold,
    detector: f.detector ?? DEFAULT_DETECTOR,
    backend: f.backend ?? 'auto',
    challenge: f.challenge ?? 'none',
    lookahead: f.lookahead ?? true,
  } as const;

  const d = c.devices;
  const devices = {
    ...(d.fingerprint === undefined ? {} : { fingerprint: fingerprint(d.fingerprint, path, fail) }),
    ...(d.camera === undefined ? {} : { camera: camera(d.camera, path, fail) }),
    ...(d.badge === undefined ? {} : { badge: badge(d.badge, path, fail) }),
  };
  if (!devices.fingerprint && !devices.badge)
    fail('devices', 'a kiosk needs a fingerprint sensor or a badge reader to identify people');

  const zone = c.zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!isTimeZone(zone)) fail('zone', `expected an IANA time zone such as Asia/Shanghai, got ${JSON.stringify(zone)}`);
  const tasks = c.names?.tasks ?? {};
  for (const key of Object.keys(tasks))
    if (!ID.test(key))
      fail('names.tasks key', `expected a task, module or questionnaire id, got ${JSON.stringify(key)}`);
  return {
    source,
    centre,
    kiosk,
    dataDir: path(c.dataDir ?? '.'),
    identify: c.identify ?? 'fingerprint-search',
    peers,
    ...(c.registryPub === undefined ? {} : { registryPub: path(c.registryPub) }),
    broker,
    face,
    devices,
    timeouts: { fingerMs: c.timeouts?.fingerMs ?? 10_000, badgeMs: c.timeouts?.badgeMs ?? 15_000 },
    language: c.language ?? 'zh-CN',
    zone,
    names: { ...(c.names?.centre === undefined ? {} : { centre: c.names.centre }), tasks },
    screen: {
      receiptSeconds: c.screen?.receiptSeconds ?? 10,
      idleSeconds: c.screen?.idleSeconds ?? 60,
      voice: c.screen?.voice ?? false,
    },
  };
}

type Devices = KioskFile['devices'];
type Fail = (where: string, problem: string) => never;
type ResolvePath = (file: string) => string;

function serial(
  o: NonNullable<Devices['camera']>,
  where: string,
  defaultBaud: number,
  path: ResolvePath,
  fail: Fail,
): SerialDeviceSettings {
  if ((o.path === undefined) === (o.usb === undefined))
    fail(where, 'give either "path" (e.g. /dev/serial/by-id/...) or "usb" {vendorId, productId}');
  const target: SerialTarget =
    o.path !== undefined
      ? { path: path(o.path) }
      : {
          vendorId: o.usb?.vendorId ?? '',
          productId: o.usb?.productId ?? '',
          ...(o.usb?.serialNumber === undefined ? {} : { serialNumber: o.usb.serialNumber }),
        };
  const baudRate = o.baudRate ?? defaultBaud;
  if (![9600, 19200, 38400, 57600, 115200].includes(baudRate))
    fail(`${where}.baudRate`, `expected 9600, 19200, 38400, 57600 or 115200, got ${baudRate}`);
  return { target, baudRate };
}

function fingerprint(o: NonNullable<Devices['fingerprint']>, path: ResolvePath, fail: Fail): FingerprintSettings {
  const { family, model, ...port } = o;
  const defaultBaud = profileFor('fingerprint', family).serial?.baudRate ?? 57600;
  return {
    ...serial(port, 'devices.fingerprint', defaultBaud, path, fail),
    family,
    ...(model === undefined ? {} : { model }),
  };
}

function camera(o: NonNullable<Devices['camera']>, path: ResolvePath, fail: Fail): CameraSettings {
  const base = serial(o, 'devices.camera', profileFor('camera').serial?.baudRate ?? 38400, path, fail);
  return {
    ...base,
    ...(o.resolution === undefined ? {} : { resolution: o.resolution }),
    ...(o.chunkSize === undefined ? {} : { chunkSize: o.chunkSize }),
  };
}

function badge(o: NonNullable<Devices['badge']>, path: ResolvePath, fail: Fail): BadgeSettings {
  if ((o.hid === undefined) === (o.tty === undefined))
    fail(
      'devices.badge',
      'give either "hid" {path} or {vendorId, productId}, or "tty" (a tty carrying 8-byte reports)',
    );
  if (o.tty !== undefined) {
    if (o.mode !== undefined || o.exclusive !== undefined)
      fail('devices.badge', '"mode" and "exclusive" apply to a "hid" reader only');
    return { kind: 'tty', path: path(o.tty) };
  }
  const h = o.hid ?? {};
  let target: HidTarget;
  if (h.path !== undefined) {
    if (h.vendorId !== undefined || h.productId !== undefined)
      fail('devices.badge.hid', 'give either "path" or vendorId and productId');
    target = { path: path(h.path) };
  } else {
    if (h.vendorId === undefined) return fail('devices.badge.hid.vendorId', 'missing (expected a string)');
    if (h.productId === undefined) return fail('devices.badge.hid.productId', 'missing (expected a string)');
    target = { vendorId: Number.parseInt(h.vendorId, 16), productId: Number.parseInt(h.productId, 16) };
  }
  return { kind: 'hid', target, mode: o.mode ?? 'keyboard', exclusive: o.exclusive ?? false };
}
