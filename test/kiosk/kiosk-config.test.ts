// The kiosk configuration file: a complete one parses with paths resolved against the file; every mistake is
// refused at start with the file, the field's path and what was expected.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR } from '../../face/detectors.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { loadKioskConfig, parseKioskConfig } from '../../main/kiosk/kiosk-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const GOOD = {
  centre: 'centre-01',
  kiosk: 'centre-01/kiosk-1',
  dataDir: 'data',
  peers: ['centre-01/kiosk-2'],
  broker: { url: 'mqtts://hq.example:8883', passwordFile: 'broker.pw' },
  face: { threshold: 0.52 },
  devices: {
    fingerprint: { family: 'r30x', path: '/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0' },
    camera: { usb: { vendorId: '1a86', productId: '7523' } },
    badge: { hid: { vendorId: 'ffff', productId: '0035' }, exclusive: true },
  },
};

function error(change: (c: Record<string, unknown>) => void): string {
  const c = structuredClone(GOOD) as Record<string, unknown>;
  change(c);
  try {
    parseKioskConfig(c, 'kiosk.json', dir);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('bad-config');
    return (e as Error).message;
  }
  throw new Error('configuration was accepted');
}

describe('kiosk configuration', () => {
  it('reads a complete file: paths against the file, profile baud rates, the calibrated threshold', () => {
    const file = join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify(GOOD));
    const config = loadKioskConfig(file);
    expect(config).toMatchObject({
      centre: 'centre-01',
      kiosk: 'centre-01/kiosk-1',
      dataDir: join(dir, 'data'),
      identify: 'fingerprint-search',
      peers: ['centre-01/kiosk-2'],
      broker: { url: 'mqtts://hq.example:8883', passwordFile: join(dir, 'broker.pw') },
      face: { threshold: 0.52, detector: DEFAULT_DETECTOR, backend: 'auto' },
      devices: {
        fingerprint: {
          family: 'r30x',
          baudRate: 57600,
          target: { path: '/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0' },
        },
        camera: { baudRate: 38400, target: { vendorId: '1a86', productId: '7523' } },
        badge: { kind: 'hid', target: { vendorId: 0xffff, productId: 0x35 }, mode: 'keyboard', exclusive: true },
      },
      timeouts: { fingerMs: 10_000, badgeMs: 15_000 },
    });
  });

  it('resolves every path against the file and fills in every default', () => {
    const c = {
      centre: 'centre-01',
      kiosk: 'centre-01/kiosk-1',
      registryPub: 'registry.pub',
      broker: { url: ['mqtt://a.example:1883', 'mqtt://b.example:1883'] },
      devices: { badge: { tty: 'badge.tty' }, camera: { path: 'camera.tty', resolution: '320x240' } },
    };
    expect(parseKioskConfig(c, 'kiosk.json', dir)).toEqual({
      source: 'kiosk.json',
      centre: 'centre-01',
      kiosk: 'centre-01/kiosk-1',
      dataDir: dir,
      identify: 'fingerprint-search',
      peers: [],
      registryPub: join(dir, 'registry.pub'),
      broker: { url: ['mqtt://a.example:1883', 'mqtt://b.example:1883'] },
      face: {
        threshold: DEFAULT_MATCH_THRESHOLD,
        detector: DEFAULT_DETECTOR,
        backend: 'auto',
        challenge: 'none',
        lookahead: true,
      },
      devices: {
        badge: { kind: 'tty', path: join(dir, 'badge.tty') },
        camera: { target: { path: join(dir, 'camera.tty') }, baudRate: 38400, resolution: '320x240' },
      },
      timeouts: { fingerMs: 10_000, badgeMs: 15_000 },
      language: 'zh-CN',
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      names: { tasks: {} },
      screen: { receiptSeconds: 10, idleSeconds: 60, presenceSeconds: 15, voice: false },
    });
  });

  it('keeps the presence window shorter than the idle wait, whichever the file gives', () => {
    const c = structuredClone(GOOD) as Record<string, unknown>;
    c.screen = { idleSeconds: 10 };
    expect(parseKioskConfig(c, 'kiosk.json', dir).screen.presenceSeconds).toBe(9);
    c.screen = { idleSeconds: 30, presenceSeconds: 8 };
    expect(parseKioskConfig(c, 'kiosk.json', dir).screen).toMatchObject({ idleSeconds: 30, presenceSeconds: 8 });
  });

  it('defaults the face threshold to the calibrated default when the file gives none', () => {
    const c = structuredClone(GOOD) as Record<string, unknown>;
    delete c.face;
    expect(parseKioskConfig(c, 'kiosk.json', dir).face.threshold).toBe(DEFAULT_MATCH_THRESHOLD);
  });

  it('runs no active face challenge unless the file names one', () => {
    const c = structuredClone(GOOD) as Record<string, unknown>;
    expect(parseKioskConfig(c, 'kiosk.json', dir).face.challenge).toBe('none');
    c.face = { challenge: 'turn-head' };
    expect(parseKioskConfig(c, 'kiosk.json', dir).face.challenge).toBe('turn-head');
  });

  it('takes the face step first frame during the fingerprint step unless the file turns it off', () => {
    const c = structuredClone(GOOD) as Record<string, unknown>;
    expect(parseKioskConfig(c, 'kiosk.json', dir).face.lookahead).toBe(true);
    c.face = { lookahead: false };
    expect(parseKioskConfig(c, 'kiosk.json', dir).face.lookahead).toBe(false);
    c.face = { lookahead: 'yes' };
    expect(() => parseKioskConfig(c, 'kiosk.json', dir)).toThrow(/face\.lookahead/);
  });

  it.each([
    [
      'missing centre',
      (c: Record<string, unknown>) => delete c.centre,
      'kiosk.json: centre: missing (expected a string)',
    ],
    [
      'kiosk of another centre',
      (c: Record<string, unknown>) => (c.kiosk = 'centre-02/kiosk-1'),
      'kiosk.json: kiosk: expected "centre-01/<name>"',
    ],
    ['a typo in a field name', (c: Record<string, unknown>) => (c.brokr = {}), 'kiosk.json: brokr: unknown field'],
    [
      'threshold out of range',
      (c: Record<string, unknown>) => (c.face = { threshold: 2.5 }),
      'kiosk.json: face.threshold: expected a distance between 0 and 2',
    ],
    [
      'an unknown face challenge',
      (c: Record<string, unknown>) => (c.face = { challenge: 'wink' }),
      'kiosk.json: face.challenge: expected one of none, blink, turn-head, got "wink"',
    ],
    [
      'threshold as text',
      (c: Record<string, unknown>) => (c.face = { threshold: '0.5' }),
      'kiosk.json: face.threshold: expected a number',
    ],
    [
      'a device with path and usb',
      (c: Record<string, unknown>) =>
        ((c.devices as Record<string, unknown>).camera = {
          path: '/dev/x',
          usb: { vendorId: '1a86', productId: '7523' },
        }),
      'kiosk.json: devices.camera: give either "path"',
    ],
    [
      'an unknown fingerprint family',
      (c: Record<string, unknown>) =>
        ((c.devices as Record<string, unknown>).fingerprint = { family: 'zk', path: '/dev/x' }),
      'kiosk.json: devices.fingerprint.family: expected one of r30x, gt511, got "zk"',
    ],
    [
      'an odd baud rate',
      (c: Record<string, unknown>) =>
        ((c.devices as Record<string, unknown>).camera = { path: '/dev/x', baudRate: 1234 }),
      'kiosk.json: devices.camera.baudRate: expected 9600',
    ],
    [
      'a bad broker URL',
      (c: Record<string, unknown>) => (c.broker = { url: 'http://hq' }),
      'kiosk.json: broker.url: expected mqtt://host:port',
    ],
    [
      'a peer of another centre',
      (c: Record<string, unknown>) => (c.peers = ['centre-02/kiosk-2']),
      'kiosk.json: peers[0]: expected another kiosk of centre-01',
    ],
    [
      'no way to identify anyone',
      (c: Record<string, unknown>) => (c.devices = { camera: { path: '/dev/x' } }),
      'kiosk.json: devices: a kiosk needs a fingerprint sensor or a badge reader',
    ],
    [
      'badge mode on a tty',
      (c: Record<string, unknown>) => ((c.devices as Record<string, unknown>).badge = { tty: '/dev/x', mode: 'hex' }),
      'kiosk.json: devices.badge: "mode" and "exclusive" apply to a "hid" reader only',
    ],
    [
      'no broker section',
      (c: Record<string, unknown>) => delete c.broker,
      'kiosk.json: broker: missing (expected an object)',
    ],
    [
      'a typo inside a section',
      (c: Record<string, unknown>) => (c.face = { treshold: 0.5 }),
      'kiosk.json: face.treshold: unknown field (expected one of threshold, detector, backend, challenge, lookahead)',
    ],
    [
      'a bad node in a broker cluster',
      (c: Record<string, unknown>) => (c.broker = { url: ['mqtts://a.example:8883', 'tcp://b'] }),
      'kiosk.json: broker.url[1]: expected mqtt://host:port or mqtts://host:port, got "tcp://b"',
    ],
    [
      'an odd camera chunk size',
      (c: Record<string, unknown>) =>
        ((c.devices as Record<string, unknown>).camera = { path: '/dev/x', chunkSize: 12 }),
      'kiosk.json: devices.camera.chunkSize: expected a multiple of 8 from 8 to 8192, got 12',
    ],
    [
      'a usb id in capitals',
      (c: Record<string, unknown>) =>
        ((c.devices as Record<string, unknown>).badge = { hid: { vendorId: 'FFFF', productId: '0035' } }),
      'kiosk.json: devices.badge.hid.vendorId: expected 4 lower-case hex digits, got "FFFF"',
    ],
    [
      'an unknown time zone',
      (c: Record<string, unknown>) => (c.zone = 'Mars/Olympus'),
      'kiosk.json: zone: expected an IANA time zone such as Asia/Shanghai, got "Mars/Olympus"',
    ],
    [
      'a task name under a key that is no id',
      (c: Record<string, unknown>) => (c.names = { tasks: { 'a b': { 'zh-CN': '学习', 'en': 'Study' } } }),
      'kiosk.json: names.tasks: expected task, module or questionnaire ids as keys, got "a b"',
    ],
    [
      'a badge reader by path and by usb id',
      (c: Record<string, unknown>) =>
        ((c.devices as Record<string, unknown>).badge = { hid: { path: '/dev/x', vendorId: 'ffff' } }),
      'kiosk.json: devices.badge.hid: give either "path" or vendorId and productId',
    ],
    [
      'a usb badge reader without its product id',
      (c: Record<string, unknown>) => ((c.devices as Record<string, unknown>).badge = { hid: { vendorId: 'ffff' } }),
      'kiosk.json: devices.badge.hid.productId: missing (expected a string)',
    ],
    [
      'a threshold of zero',
      (c: Record<string, unknown>) => (c.face = { threshold: 0 }),
      'kiosk.json: face.threshold: expected a distance between 0 and 2 (from muster face calibrate), got 0',
    ],
    [
      'a timeout of half a second too little',
      (c: Record<string, unknown>) => (c.timeouts = { fingerMs: 50 }),
      'kiosk.json: timeouts.fingerMs: expected whole milliseconds between 100 and 600000, got 50',
    ],
    [
      'a presence window as long as the idle wait',
      (c: Record<string, unknown>) => (c.screen = { idleSeconds: 20, presenceSeconds: 20 }),
      'kiosk.json: screen.presenceSeconds: expected fewer seconds than screen.idleSeconds (20), got 20',
    ],
    [
      'a presence window too short to see anyone',
      (c: Record<string, unknown>) => (c.screen = { presenceSeconds: 1 }),
      'kiosk.json: screen.presenceSeconds: expected whole seconds between 3 and 599, got 1',
    ],
  ])('refuses %s with the field and what was expected', (_name, change, message) => {
    expect(error(change)).toContain(message);
  });

  it('refuses a file that is not an object', () => {
    expect(() => parseKioskConfig(['centre-01'], 'kiosk.json', dir)).toThrow('kiosk.json: expected an object');
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadKioskConfig(join(dir, 'nope.json'))).toThrow(/cannot read kiosk configuration .*nope\.json/);
    writeFileSync(join(dir, 'bad.json'), '{ "centre": ');
    expect(() => loadKioskConfig(join(dir, 'bad.json'))).toThrow(/bad\.json: not JSON/);
  });
});
