// The presence port on the kiosk's devices (main/kiosk/presence-port.ts): the R30x sensor's finger detect through
// the real driver against its emulator, and the face step's analysed frames: a frame with no face is nobody seen,
// a face refused for its size or light is still someone, an unreadable frame or a face worker still starting
// says nothing, and a sensor that stops answering throws (the watch takes that for no evidence).
import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceReading, PresenceSource } from '../../core/checkin/presence.ts';
import type { FrameAnalysis } from '../../face/analysis.ts';
import { devicePresence } from '../../main/kiosk/presence-port.ts';
import { type R30xRig, mockR30xRig } from '../drivers/support/r30x-rig.ts';

const analysis = (faceCount: number): FrameAnalysis => ({
  source: { width: 640, height: 480 },
  analysed: { width: 320, height: 240 },
  faceCount,
  boxes: [],
  decodeMs: 1,
  inferenceMs: 1,
  stagesMs: { detect: 1, landmarks: 0, descriptor: 0, liveness: 0 },
});

describe('the presence port on the devices', () => {
  const rigs: R30xRig[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.close();
  });

  it("reads the sensor's finger detect; a sensor unplugged throws, never answers 'nobody'", async () => {
    const rig = await mockR30xRig();
    rigs.push(rig);
    const presence = devicePresence({ sensor: rig.sensor, service: () => undefined });
    expect(await presence.finger?.()).toBe(false);
    rig.place({ kind: 'finger', name: 'alice-right-index' });
    expect(await presence.finger?.()).toBe(true);
    rig.emulator.unplug();
    await expect(presence.finger?.()).rejects.toThrow();
  });

  it("passes on the face step's frames: no face is nobody, a refused face is someone, an unreadable frame nothing", () => {
    const presence = devicePresence({ service: () => undefined });
    expect('face' in presence).toBe(false);
    const seen: [PresenceSource, PresenceReading][] = [];
    const stop = presence.subscribe?.((source, reading) => seen.push([source, reading]));
    presence.captured({ kind: 'unusable', reason: 'no-face', guidance: '', detail: '', analysis: analysis(0) });
    presence.captured({ kind: 'unusable', reason: 'too-dark', guidance: '', detail: '', analysis: analysis(1) });
    presence.captured({ kind: 'unusable', reason: 'not-an-image', guidance: '', detail: '' });
    stop?.();
    presence.captured({ kind: 'unusable', reason: 'no-face', guidance: '', detail: '', analysis: analysis(0) });
    expect(seen).toEqual([
      ['face', false],
      ['face', true],
    ]);
  });

  it('a camera whose face worker is still starting cannot tell', async () => {
    const camera = {
      capture: () => Promise.resolve(new Uint8Array([0xff, 0xd8, 0xff, 0xd9])),
      close: () => Promise.resolve(),
    };
    expect(await devicePresence({ camera, service: () => undefined }).face?.()).toBeNull();
  });
});
