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
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KIOSK_LANGUAGES, type KioskLanguage, type Names } from '../../core/api/kiosk-api.ts';
import type { IdentifyMode } from '../../core/checkin/checkin-machine.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
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
const USB_ID = /^[0-9a-f]{4}$/;

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
  const at = new Reader(source, baseDir);
  const c = at.object(value, '');
  at.only(c, '', [
    'centre',
    'kiosk',
    'dataDir',
    'identify',
    'peers',
    'registryPub',
    'broker',
    'face',
    'devices',
    'timeouts',
    'language',
    'zone',
    'names',
    'screen',
  ]);
  const centre = at.id(c.centre, 'centre');
  const kiosk = at.string(c.kiosk, 'kiosk');
  const name = kiosk.slice(centre.length + 1);
  if (!kiosk.startsWith(`${centre}/`) || !ID.test(name))
    at.fail('kiosk', `expected "${centre}/<name>" (letters, digits, . _ -), got ${JSON.stringify(kiosk)}`);
  const peers =
    c.peers === undefined
      ? []
      : at.array(c.peers, 'peers').map((p, i) => {
          const peer = at.string(p, `peers[${i}]`);
          if (!peer.startsWith(`${centre}/`) || peer === kiosk || !ID.test(peer.slice(centre.length + 1)))
            at.fail(`peers[${i}]`, `expected another kiosk of ${centre}, got ${JSON.stringify(peer)}`);
          return peer;
        });
  const identify =
    c.identify === undefined
      ? 'fingerprint-search'
      : at.oneOf(c.identify, 'identify', ['fingerprint-search', 'badge-then-finger'] as const);

  const b = at.object(c.broker, 'broker');
  at.only(b, 'broker', ['url', 'username', 'passwordFile']);
  const brokerUrl = (value: unknown, field: string): string => {
    const url = at.string(value, field);
    if (!/^mqtts?:\/\/[^/\s]+$/.test(url))
      at.fail(field, `expected mqtt://host:port or mqtts://host:port, got ${JSON.stringify(url)}`);
    return url;
  };
  const urls = Array.isArray(b.url)
    ? at.array(b.url, 'broker.url').map((u, i) => brokerUrl(u, `broker.url[${i}]`))
    : undefined;
  if (urls?.length === 0) at.fail('broker.url', 'expected at least one broker URL');
  const url = urls ?? brokerUrl(b.url, 'broker.url');
  const broker = {
    url,
    ...(b.username === undefined ? {} : { username: at.string(b.username, 'broker.username') }),
    ...(b.passwordFile === undefined ? {} : { passwordFile: at.path(b.passwordFile, 'broker.passwordFile') }),
  };

  const f = c.face === undefined ? {} : at.object(c.face, 'face');
  at.only(f, 'face', ['threshold', 'detector', 'backend', 'challenge', 'lookahead']);
  const threshold = f.threshold === undefined ? DEFAULT_MATCH_THRESHOLD : at.number(f.threshold, 'face.threshold');
  if (!(threshold > 0 && threshold < 2))
    at.fail('face.threshold', `expected a distance between 0 and 2 (from muster face calibrate), got ${threshold}`);
  const face = {
    threshold,
    detector: f.detector === undefined ? DEFAULT_DETECTOR : at.oneOf(f.detector, 'face.detector', DETECTOR_NAMES),
    backend:
      f.backend === undefined ? 'auto' : at.oneOf(f.backend, 'face.backend', ['auto', 'tensorflow', 'wasm'] as const),
    challenge:
      f.challenge === undefined
        ? 'none'
        : at.oneOf(f.challenge, 'face.challenge', ['none', 'blink', 'turn-head'] as const),
    lookahead: f.lookahead === undefined ? true : at.boolean(f.lookahead, 'face.lookahead'),
  } as const;

  const d = at.object(c.devices, 'devices');
  at.only(d, 'devices', ['fingerprint', 'camera', 'badge']);
  const devices = {
    ...(d.fingerprint === undefined ? {} : { fingerprint: fingerprint(at, d.fingerprint) }),
    ...(d.camera === undefined ? {} : { camera: camera(at, d.camera) }),
    ...(d.badge === undefined ? {} : { badge: badge(at, d.badge) }),
  };
  if (!devices.fingerprint && !devices.badge)
    at.fail('devices', 'a kiosk needs a fingerprint sensor or a badge reader to identify people');

  const t = c.timeouts === undefined ? {} : at.object(c.timeouts, 'timeouts');
  at.only(t, 'timeouts', ['fingerMs', 'badgeMs']);
  const timeouts = {
    fingerMs: at.millis(t.fingerMs, 'timeouts.fingerMs', 10_000),
    badgeMs: at.millis(t.badgeMs, 'timeouts.badgeMs', 15_000),
  };

  const registryPub = c.registryPub === undefined ? {} : { registryPub: at.path(c.registryPub, 'registryPub') };
  const language = c.language === undefined ? 'zh-CN' : at.oneOf(c.language, 'language', KIOSK_LANGUAGES);
  const zone = c.zone === undefined ? Intl.DateTimeFormat().resolvedOptions().timeZone : at.zone(c.zone, 'zone');
  return {
    source,
    centre,
    kiosk,
    dataDir: at.path(c.dataDir ?? '.', 'dataDir'),
    identify,
    peers,
    ...registryPub,
    broker,
    face,
    devices,
    timeouts,
    language,
    zone,
    names: names(at, c.names),
    screen: screen(at, c.screen),
  };
}

function names(at: Reader, value: unknown): KioskConfig['names'] {
  const o = value === undefined ? {} : at.object(value, 'names');
  at.only(o, 'names', ['centre', 'tasks']);
  const tasks = o.tasks === undefined ? {} : at.object(o.tasks, 'names.tasks');
  if (Object.keys(tasks).length > 256) at.fail('names.tasks', 'expected at most 256 names');
  return {
    ...(o.centre === undefined ? {} : { centre: at.names(o.centre, 'names.centre') }),
    tasks: Object.fromEntries(
      Object.entries(tasks).map(([key, v]) => [
        at.match(key, `names.tasks key`, ID, 'a task, module or questionnaire id'),
        at.names(v, `names.tasks.${key}`),
      ]),
    ),
  };
}

function screen(at: Reader, value: unknown): KioskConfig['screen'] {
  const o = value === undefined ? {} : at.object(value, 'screen');
  at.only(o, 'screen', ['receiptSeconds', 'idleSeconds', 'voice']);
  const seconds = (v: unknown, where: string, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = at.number(v, where);
    if (!Number.isInteger(n) || n < 5 || n > 600) at.fail(where, `expected whole seconds between 5 and 600, got ${n}`);
    return n;
  };
  return {
    receiptSeconds: seconds(o.receiptSeconds, 'screen.receiptSeconds', 10),
    idleSeconds: seconds(o.idleSeconds, 'screen.idleSeconds', 60),
    voice: o.voice === undefined ? false : at.boolean(o.voice, 'screen.voice'),
  };
}

function serial(at: Reader, o: Record<string, unknown>, where: string, defaultBaud: number): SerialDeviceSettings {
  const hasPath = o.path !== undefined;
  if (hasPath === (o.usb !== undefined))
    at.fail(where, 'give either "path" (e.g. /dev/serial/by-id/...) or "usb" {vendorId, productId}');
  let target: SerialTarget;
  if (hasPath) target = { path: at.path(o.path, `${where}.path`) };
  else {
    const u = at.object(o.usb, `${where}.usb`);
    at.only(u, `${where}.usb`, ['vendorId', 'productId', 'serialNumber']);
    target = {
      vendorId: at.match(u.vendorId, `${where}.usb.vendorId`, USB_ID, '4 lower-case hex digits'),
      productId: at.match(u.productId, `${where}.usb.productId`, USB_ID, '4 lower-case hex digits'),
      ...(u.serialNumber === undefined ? {} : { serialNumber: at.string(u.serialNumber, `${where}.usb.serialNumber`) }),
    };
  }
  const baudRate = o.baudRate === undefined ? defaultBaud : at.number(o.baudRate, `${where}.baudRate`);
  if (![9600, 19200, 38400, 57600, 115200].includes(baudRate))
    at.fail(`${where}.baudRate`, `expected 9600, 19200, 38400, 57600 or 115200, got ${baudRate}`);
  return { target, baudRate };
}

function fingerprint(at: Reader, value: unknown): FingerprintSettings {
  const o = at.object(value, 'devices.fingerprint');
  at.only(o, 'devices.fingerprint', ['family', 'path', 'usb', 'baudRate', 'model']);
  const family = at.oneOf(o.family, 'devices.fingerprint.family', ['r30x', 'gt511'] as const);
  const base = serial(at, o, 'devices.fingerprint', profileFor('fingerprint', family).serial?.baudRate ?? 57600);
  return {
    ...base,
    family,
    ...(o.model === undefined ? {} : { model: at.string(o.model, 'devices.fingerprint.model') }),
  };
}

function camera(at: Reader, value: unknown): CameraSettings {
  const o = at.object(value, 'devices.camera');
  at.only(o, 'devices.camera', ['path', 'usb', 'baudRate', 'chunkSize', 'resolution']);
  const serialSettings = serial(at, o, 'devices.camera', profileFor('camera').serial?.baudRate ?? 38400);
  const base =
    o.resolution === undefined
      ? serialSettings
      : {
          ...serialSettings,
          resolution: at.oneOf(o.resolution, 'devices.camera.resolution', Object.keys(ImageSize) as Resolution[]),
        };
  if (o.chunkSize === undefined) return base;
  const chunkSize = at.number(o.chunkSize, 'devices.camera.chunkSize');
  if (!Number.isInteger(chunkSize) || chunkSize < 8 || chunkSize > 8192 || chunkSize % 8 !== 0)
    at.fail('devices.camera.chunkSize', `expected a multiple of 8 from 8 to 8192, got ${chunkSize}`);
  return { ...base, chunkSize };
}

function badge(at: Reader, value: unknown): BadgeSettings {
  const o = at.object(value, 'devices.badge');
  at.only(o, 'devices.badge', ['hid', 'tty', 'mode', 'exclusive']);
  if ((o.hid === undefined) === (o.tty === undefined))
    at.fail(
      'devices.badge',
      'give either "hid" {path} or {vendorId, productId}, or "tty" (a tty carrying 8-byte reports)',
    );
  if (o.tty !== undefined) {
    if (o.mode !== undefined || o.exclusive !== undefined)
      at.fail('devices.badge', '"mode" and "exclusive" apply to a "hid" reader only');
    return { kind: 'tty', path: at.path(o.tty, 'devices.badge.tty') };
  }
  const h = at.object(o.hid, 'devices.badge.hid');
  at.only(h, 'devices.badge.hid', ['path', 'vendorId', 'productId']);
  let target: HidTarget;
  if (h.path !== undefined) {
    if (h.vendorId !== undefined || h.productId !== undefined)
      at.fail('devices.badge.hid', 'give either "path" or vendorId and productId');
    target = { path: at.path(h.path, 'devices.badge.hid.path') };
  } else {
    const hex = (v: unknown, where: string): number =>
      Number.parseInt(at.match(v, where, USB_ID, '4 lower-case hex digits'), 16);
    target = {
      vendorId: hex(h.vendorId, 'devices.badge.hid.vendorId'),
      productId: hex(h.productId, 'devices.badge.hid.productId'),
    };
  }
  return {
    kind: 'hid',
    target,
    mode:
      o.mode === undefined ? 'keyboard' : at.oneOf(o.mode, 'devices.badge.mode', ['keyboard', 'hex', 'ascii'] as const),
    exclusive: o.exclusive === undefined ? false : at.boolean(o.exclusive, 'devices.badge.exclusive'),
  };
}

/** Field readers that name the file and the field's path in every error. */
class Reader {
  constructor(
    private readonly source: string,
    private readonly baseDir: string,
  ) {}

  fail(where: string, problem: string): never {
    throw new MusterError('bad-config', `${this.source}: ${where === '' ? '' : `${where}: `}${problem}`);
  }

  object(v: unknown, where: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(where, v === undefined ? 'missing (expected an object)' : 'expected an object');
    return v as Record<string, unknown>;
  }

  only(o: Record<string, unknown>, where: string, keys: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!keys.includes(k))
        this.fail(where === '' ? k : `${where}.${k}`, `unknown field (expected one of ${keys.join(', ')})`);
  }

  array(v: unknown, where: string): unknown[] {
    if (!Array.isArray(v) || v.length > 64) this.fail(where, 'expected a list of at most 64 items');
    return v;
  }

  string(v: unknown, where: string): string {
    if (typeof v !== 'string' || v === '' || v.length > 4096)
      this.fail(where, v === undefined ? 'missing (expected a string)' : 'expected a non-empty string');
    return v;
  }

  id(v: unknown, where: string): string {
    return this.match(v, where, ID, 'letters, digits, . _ - (at most 64)');
  }

  match(v: unknown, where: string, pattern: RegExp, expected: string): string {
    const s = this.string(v, where);
    if (!pattern.test(s)) this.fail(where, `expected ${expected}, got ${JSON.stringify(s)}`);
    return s;
  }

  path(v: unknown, where: string): string {
    return resolve(this.baseDir, this.string(v, where));
  }

  number(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'expected a number');
    return v;
  }

  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'expected true or false');
    return v;
  }

  millis(v: unknown, where: string, fallback: number): number {
    if (v === undefined) return fallback;
    const n = this.number(v, where);
    if (!Number.isInteger(n) || n < 100 || n > 600_000)
      this.fail(where, `expected whole milliseconds between 100 and 600000, got ${n}`);
    return n;
  }

  /** A name in every kiosk language. */
  names(v: unknown, where: string): Names {
    const o = this.object(v, where);
    this.only(o, where, KIOSK_LANGUAGES);
    const text = (language: KioskLanguage): string => {
      const s = this.string(o[language], `${where}.${language}`);
      if (s.length > 120) this.fail(`${where}.${language}`, 'expected at most 120 characters');
      return s;
    };
    return { 'zh-CN': text('zh-CN'), 'en': text('en') };
  }

  zone(v: unknown, where: string): string {
    const zone = this.string(v, where);
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      this.fail(where, `expected an IANA time zone such as Asia/Shanghai, got ${JSON.stringify(zone)}`);
    }
    return zone;
  }

  oneOf<T extends string>(v: unknown, where: string, options: readonly T[]): T {
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v))
      this.fail(where, `expected one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
}
