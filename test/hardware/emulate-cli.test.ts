// `muster emulate ...` end to end on real PTYs: the command runs in process (runCli with piped stdin/stdout), the
// real drivers talk to it through socat, and the control channel steers it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BadgeReader } from '../../drivers/badge/badge-reader.ts';
import { StreamReportSource } from '../../drivers/badge/report-source.ts';
import { Vc0706Camera } from '../../drivers/camera/vc0706-camera.ts';
import { Vc0706Decoder } from '../../drivers/camera/vc0706-codec.ts';
import { FrameChannel } from '../../drivers/frame-channel.ts';
import { Gt511Decoder } from '../../drivers/fingerprint/gt511-codec.ts';
import { Gt511Sensor } from '../../drivers/fingerprint/gt511-sensor.ts';
import { R30xDecoder } from '../../drivers/fingerprint/r30x-codec.ts';
import { R30xSensor } from '../../drivers/fingerprint/r30x-sensor.ts';
import { SerialTransport } from '../../drivers/serial-transport.ts';
import { type PtyPair, openPtyPair } from '../../hardware/pty-pair.ts';
import { deviceCommands } from '../../main/cli/device-commands.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { testJpeg } from '../drivers/support/jpeg.ts';

interface Running {
  readonly pair: PtyPair;
  /** Sends a control line and resolves with the reply line. */
  control(line: string): Promise<string>;
  /** Ends stdin; resolves with the exit code. */
  stop(): Promise<number>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulate(args: readonly string[]): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-emulate-'));
  const pair = await openPtyPair(dir);
  cleanups.push(
    () => {
      rmSync(dir, { recursive: true, force: true });
    },
    () => pair.close(),
  );
  const stdin = new PassThrough();
  const stdout = new PassThrough({ encoding: 'utf8' });
  const stderr = new PassThrough({ encoding: 'utf8' });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let partial = '';
  stdout.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const nextLine = (): Promise<string> => {
    const line = lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiting.push(resolve));
  };
  const exit = runCli(deviceCommands, [...args, '--port', pair.device], { stdin, stdout, stderr });
  cleanups.push(async () => {
    stdin.end();
    await exit;
  });
  const banner = await Promise.race([nextLine(), exit.then((code) => `exit ${code}: ${String(stderr.read())}`)]);
  expect(banner).toMatch(/^ready /);
  return {
    pair,
    control: (line) => {
      stdin.write(`${line}\n`);
      return nextLine();
    },
    stop: () => {
      stdin.end();
      return exit;
    },
  };
}

async function hostLink(path: string, baudRate: number): Promise<SerialTransport> {
  const link = new SerialTransport({ target: { path }, baudRate, reconnect: false });
  await link.open();
  cleanups.push(() => link.close());
  return link;
}

describe('muster emulate', () => {
  it('fingerprint: preloaded templates, finger control, faults', async () => {
    const run = await emulate(['emulate', 'fingerprint', '--timing', 'zero', '--enrol', 'alice@3', '--model', 'R503']);
    const channel = new FrameChannel(await hostLink(run.pair.host, 57600), new R30xDecoder(), { timeoutMs: 300 });
    const sensor = await R30xSensor.connect(channel, { model: 'R503' });
    expect(await run.control('finger alice')).toBe('ok finger alice');
    expect(await sensor.identify({ fingerTimeoutMs: 0 })).toMatchObject({ id: 3 });
    expect(await run.control('fault silence')).toBe('ok fault silence');
    await expect(sensor.templateCount()).rejects.toMatchObject({ code: 'device.timeout' });
    expect(await run.control('status')).toBe('ok templates 1 finger alice');
    expect(await run.control('fault sparks')).toMatch(/^error: fault needs one of/);
    expect(await run.stop()).toBe(0);
  });

  it('fingerprint: the GT-511C3 family at its 9600 baud default', async () => {
    const run = await emulate([
      'emulate',
      'fingerprint',
      '--model',
      'GT-511C3',
      '--timing',
      'zero',
      '--enrol',
      'bob@7',
    ]);
    const decoder = new Gt511Decoder();
    const sensor = await Gt511Sensor.connect(
      new FrameChannel(await hostLink(run.pair.host, 9600), decoder, { timeoutMs: 500 }),
      decoder,
    );
    expect(await run.control('finger poor')).toBe('ok finger poor');
    await expect(sensor.identify({ fingerTimeoutMs: 0 })).rejects.toMatchObject({ code: 'fingerprint.poor-image' });
    expect(await run.control('finger bob')).toBe('ok finger bob');
    expect(await sensor.identify({ fingerTimeoutMs: 0 })).toEqual({ id: 7, score: null });
    expect(await run.stop()).toBe(0);
  });

  it('camera: serves the frames of a folder', async () => {
    const frames = mkdtempSync(join(tmpdir(), 'muster-frames-'));
    cleanups.push(() => {
      rmSync(frames, { recursive: true, force: true });
    });
    const jpegs = [testJpeg(16, 8, 1), testJpeg(8, 8, 2)];
    jpegs.forEach((jpeg, i) => {
      writeFileSync(join(frames, `frame-${i}.jpg`), jpeg);
    });
    const run = await emulate(['emulate', 'camera', '--timing', 'zero', '--frames', frames]);
    const decoder = new Vc0706Decoder();
    const camera = new Vc0706Camera(
      new FrameChannel(await hostLink(run.pair.host, 38400), decoder, { timeoutMs: 500 }),
      decoder,
      { chunkSize: 64 },
    );
    expect(await run.control('frame 1')).toBe(`ok frame of ${jpegs[1]?.length} bytes`);
    expect(await camera.capture()).toEqual(jpegs[1]);
    // A sequence: each capture moves the live view on (a person turning their head)...
    expect(await camera.capture()).toEqual(jpegs[0]);
    expect(await camera.capture()).toEqual(jpegs[1]);
    // ...or a photo held up to the camera, the same frame every time, until it moves again.
    expect(await run.control('frame hold')).toBe(`ok frame of ${jpegs[0]?.length} bytes`);
    expect([await camera.capture(), await camera.capture(), await camera.capture()]).toEqual([
      jpegs[0],
      jpegs[0],
      jpegs[0],
    ]);
    expect(await run.control('frame move')).toMatch(/^ok/);
    expect([await camera.capture(), await camera.capture()]).toEqual([jpegs[0], jpegs[1]]);
    expect(await run.control('frame still')).toBe('error: frame needs next, N, hold or move');
    expect(await run.stop()).toBe(0);
  });

  it('badge: taps cards', async () => {
    const run = await emulate(['emulate', 'badge', '--keypad']);
    const link = await hostLink(run.pair.host, 115_200);
    const reader = new BadgeReader({ open: () => Promise.resolve(new StreamReportSource(link, 8)), reconnect: false });
    await reader.open();
    const card = reader.nextCard(2000);
    expect(await run.control('card 0012345678')).toBe('ok tapped 0012345678');
    expect((await card).number).toBe('0012345678');
    expect(await run.stop()).toBe(0);
  });

  it('prints the control channel in --help and refuses a bad --timing', async () => {
    const out = new PassThrough({ encoding: 'utf8' });
    const err = new PassThrough({ encoding: 'utf8' });
    expect(
      await runCli(deviceCommands, ['emulate', 'fingerprint', '--help'], {
        stdin: new PassThrough(),
        stdout: out,
        stderr: err,
      }),
    ).toBe(0);
    expect(String(out.read())).toContain('finger NAME');
    expect(
      await runCli(deviceCommands, ['emulate', 'fingerprint', '--port', '/dev/null', '--timing', 'slow'], {
        stdin: new PassThrough(),
        stdout: out,
        stderr: err,
      }),
    ).toBe(2);
    expect(String(err.read())).toContain('--timing must be');
  });
});
