// `muster face ...` in process: exit codes, output, and the files enrolment writes.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceCommands } from '../../main/cli/face-commands.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { openTemplate, parseSealedTemplate } from '../../face/template.ts';
import { CAMERA_VARIANTS, FACES_DIR, decode, encode, kioskFrame } from './camera.ts';

let dir: string;

async function muster(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runCli(faceCommands, argv, { stdin: new PassThrough(), stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function image(name: string): string {
  return join(dir, name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-face-cli-'));
  for (const name of ['obama_1', 'obama_2', 'biden_1', 'biden_2']) {
    const photo = decode(readFileSync(new URL(`${name}.jpg`, FACES_DIR)));
    await writeFile(image(`${name}.jpg`), encode(kioskFrame(photo)));
    await writeFile(image(`${name}.bright.jpg`), (CAMERA_VARIANTS.bright as (p: typeof photo) => Uint8Array)(photo));
  }
  await writeFile(
    image('group.jpg'),
    encode(kioskFrame(decode(readFileSync(new URL('group_obama_biden.jpg', FACES_DIR))))),
  );
  await writeFile(image('notes.jpg'), 'not a picture');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each command starts the face worker and loads the models: seconds alone, far more on a loaded machine.
const MODEL_LOADING = { timeout: 180_000 };

describe('muster face verify', MODEL_LOADING, () => {
  it('exits 0 for the same person and prints distance, decision, threshold and timing', async () => {
    const { code, stdout, stderr } = await muster(
      'face',
      'verify',
      image('obama_1.jpg'),
      image('obama_2.jpg'),
      '--wasm-only',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^same person: distance 0\.\d+, threshold 0\.54$/m);
    expect(stdout).toMatch(/^time: \d+ ms/m);
    // The chosen backend is a log record on stderr (JSON lines: not a terminal here).
    expect(stderr).toMatch(/^\{"level":"info",.*"component":"face","backend":"wasm",.*"msg":"face models loaded"\}$/m);
  });

  it('exits 1 for different people, with --json', async () => {
    const { code, stdout } = await muster(
      'face',
      'verify',
      image('obama_1.jpg'),
      image('biden_2.jpg'),
      '--json',
      '--wasm-only',
    );
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as {
      decision: string;
      threshold: number;
      distance: number;
      backend: string;
      timing: { totalMs: number };
    };
    expect(result).toMatchObject({ decision: 'no-match', threshold: 0.54, backend: 'wasm' });
    expect(result.distance).toBeGreaterThan(0.54);
    expect(result.timing.totalMs).toBeGreaterThan(0);
  });

  it('exits 2 with the reason for input that is not a usable face', async () => {
    const { code, stderr } = await muster('face', 'verify', image('notes.jpg'), image('group.jpg'), '--wasm-only');
    expect(code).toBe(2);
    expect(stderr).toMatch(/notes\.jpg: unusable \(not-an-image\)/);
    expect(stderr).toMatch(/group\.jpg: unusable \(several-faces\)/);
  });

  it('exits 2 on bad arguments without loading any model', async () => {
    expect((await muster('face', 'verify', image('obama_1.jpg'))).code).toBe(2);
    expect((await muster('face', 'verify', 'a.jpg', 'b.jpg', '--threshold', 'x')).code).toBe(2);
    expect((await muster('face', 'verify', 'a.jpg', 'b.jpg', '--detector', 'yolo')).code).toBe(2);
    const missing = await muster('face', 'verify', 'a.jpg', 'b.jpg', '--config', join(dir, 'no-such-kiosk.json'));
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/--config: cannot read kiosk configuration/);
  });

  it('takes the threshold in force from the kiosk configuration, unless --threshold is given', async () => {
    const config = join(dir, 'kiosk.json');
    await writeFile(
      config,
      JSON.stringify({
        centre: 'c1',
        kiosk: 'c1/k1',
        broker: { url: 'mqtt://127.0.0.1:1883' },
        face: { threshold: 0.3, backend: 'wasm' },
        devices: { badge: { tty: '/dev/null' } },
      }),
    );
    const strict = await muster(
      'face',
      'verify',
      image('obama_1.jpg'),
      image('obama_2.jpg'),
      '--config',
      config,
      '--json',
    );
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ decision: 'no-match', threshold: 0.3, backend: 'wasm' });
    const overridden = await muster(
      'face',
      'verify',
      image('obama_1.jpg'),
      image('obama_2.jpg'),
      '--config',
      config,
      '--threshold',
      '0.6',
    );
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toMatch(/threshold 0\.6$/m);
  });
});

describe('muster face enroll and calibrate', MODEL_LOADING, () => {
  it('writes an encrypted template, a 0600 key, and prints the commitment', async () => {
    const keyPath = join(dir, 'face.key');
    const out = join(dir, 'templates', 'P-42.json');
    const { code, stdout } = await muster(
      'face',
      'enroll',
      '--id',
      'P-42',
      '--key',
      keyPath,
      '--out',
      out,
      '--wasm-only',
      image('obama_1.jpg'),
      image('obama_1.bright.jpg'),
      image('obama_2.jpg'),
    );
    expect(code).toBe(0);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const sealed = parseSealedTemplate(await readFile(out, 'utf8'));
    expect(stdout).toContain(`commitment ${sealed.commitment}`);
    const template = openTemplate(sealed, new Uint8Array(await readFile(keyPath)));
    expect(template.descriptors).toHaveLength(3);
  });

  it('refuses to enrol from photos of two people', async () => {
    const { code, stderr } = await muster(
      'face',
      'enroll',
      '--id',
      'P-43',
      '--key',
      join(dir, 'face.key'),
      '--out',
      join(dir, 'x.json'),
      '--wasm-only',
      image('obama_1.jpg'),
      image('obama_2.jpg'),
      image('biden_2.jpg'),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/same person/);
    const missing = await muster(
      'face',
      'enroll',
      '--id',
      'P-44',
      '--key',
      join(dir, 'face.key'),
      image('obama_1.jpg'),
      image('obama_2.jpg'),
      image('nope.jpg'),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jpg/);
  });

  it('prints FAR/FRR over thresholds and an operating point', async () => {
    const csv = join(dir, 'pairs.csv');
    await writeFile(
      csv,
      [
        'obama_1.jpg,obama_2.jpg,same',
        'biden_1.jpg,biden_2.bright.jpg,same',
        'obama_1.jpg,biden_2.jpg,different',
        'obama_2.bright.jpg,biden_1.jpg,different',
        'notes.jpg,obama_1.jpg,same',
      ].join('\n'),
    );
    const { code, stdout } = await muster('face', 'calibrate', '--pairs', csv, '--wasm-only');
    expect(code).toBe(0);
    expect(stdout).toMatch(/pairs: 2 genuine, 2 impostor usable; unusable: 1 not-an-image/);
    expect(stdout).toMatch(/^ +0\.55 +\d+\.\d+% +\d+\.\d+%$/m);
    expect(stdout).toMatch(/suggested: --threshold 0\.\d\d/);
  });
});
