// Driver benchmarks over a real PTY (socat) at the devices' real baud rates: a fingerprint search round trip
// (57600 baud) and a whole camera frame (38400 baud), each against its wire time, bytes x 10 / baud, counted from
// the bytes that actually crossed. A PTY does not enforce the baud rate, so the emulator paces its replies as the
// wire would (timing 'wire': no module processing time); what is left above the wire time is driver, serialport
// and kernel overhead, plus how late the emulator's own timer fired (reported separately: on a loaded machine that
// lateness, not the driver, dominates). Goal: within 10% of the wire time.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteLink, ByteLinkEvents } from '../drivers/byte-link.ts';
import { Vc0706Camera } from '../drivers/camera/vc0706-camera.ts';
import { Vc0706Decoder } from '../drivers/camera/vc0706-codec.ts';
import { FrameChannel } from '../drivers/frame-channel.ts';
import { R30xDecoder } from '../drivers/fingerprint/r30x-codec.ts';
import { R30xSensor } from '../drivers/fingerprint/r30x-sensor.ts';
import { SerialTransport } from '../drivers/serial-transport.ts';
import { attachToSerialPath } from '../hardware/pty-link.ts';
import { openPtyPair } from '../hardware/pty-pair.ts';
import { R30xEmulator } from '../hardware/r30x-emulator.ts';
import type { EmulatorTiming, SerialEmulator } from '../hardware/emulator.ts';
import { Vc0706Emulator } from '../hardware/vc0706-emulator.ts';
import { testJpeg } from '../test/drivers/support/jpeg.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const SEARCHES = 100;
const FRAMES = 3;

export const driversSuite: Suite = {
  name: 'drivers',
  async run(report) {
    await fingerprintSearch(report);
    await cameraFrame(report, 32);
    await cameraFrame(report, 256);
  },
};

/**
 * Counts the bytes both ways, so wire time comes from what crossed, not from a formula; and sums the time from each
 * write to the last reply byte before the next write (time on the PTY), so the driver's own time (everything else:
 * building requests, parsing, queueing, resolving) can be told apart.
 */
class CountingLink extends EventEmitter<ByteLinkEvents> implements ByteLink {
  bytes = 0;
  #writeAt: number | undefined;
  #lastDataAt = 0;
  #onWire = 0;
  readonly #inner: SerialTransport;

  constructor(inner: SerialTransport) {
    super();
    this.#inner = inner;
    inner.on('data', (chunk) => {
      this.bytes += chunk.length;
      this.#lastDataAt = performance.now();
      this.emit('data', chunk);
    });
    inner.on('connected', () => this.emit('connected'));
    inner.on('disconnected', (error) => this.emit('disconnected', error));
  }

  get connected(): boolean {
    return this.#inner.connected;
  }

  reset(): void {
    this.bytes = 0;
    this.#writeAt = undefined;
    this.#onWire = 0;
  }

  /** Time spent in the driver for an operation from `start` to `end`: all of it but the waits on the PTY. */
  ownTime(start: number, end: number): number {
    this.#closeWait();
    return end - start - this.#onWire;
  }

  write(bytes: Uint8Array): Promise<void> {
    this.bytes += bytes.length;
    this.#closeWait();
    this.#writeAt = performance.now();
    return this.#inner.write(bytes);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #closeWait(): void {
    if (this.#writeAt !== undefined && this.#lastDataAt > this.#writeAt)
      this.#onWire += this.#lastDataAt - this.#writeAt;
    this.#writeAt = undefined;
  }
}

async function onPty<T>(
  emulator: SerialEmulator,
  baudRate: number,
  fn: (link: CountingLink) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-bench-pty-'));
  const pair = await openPtyPair(dir);
  const attachment = await attachToSerialPath(emulator, pair.device, baudRate);
  const transport = new SerialTransport({ target: { path: pair.host }, baudRate, reconnect: false });
  await transport.open();
  try {
    return await fn(new CountingLink(transport));
  } finally {
    await transport.close();
    await attachment.close();
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const wireMs = (bytes: number, baudRate: number): number => (bytes * 10 * 1000) / baudRate;

async function fingerprintSearch(report: BenchReport): Promise<void> {
  const name = 'fingerprint search round trip, PTY @57600 (paced)';
  const late: number[] = [];
  const paced = await searchTimes({ processing: false, baudRate: 57600, onPaced: (ms) => late.push(ms) });
  // The same exchange with no pacing: what the PTY, socat and the event loop cost on this machine by themselves.
  const floor = await searchTimes({ processing: false });
  report.add(`${name}: wire time`, percentile(paced.wire, 50), 'ms');
  report.add(`${name}: driver p50`, percentile(paced.driver, 50), 'ms', `${name}: wire time`);
  report.add(`${name}: driver p90`, percentile(paced.driver, 90), 'ms', `${name}: wire time`);
  report.add(`${name}: unpaced PTY round trip p50 (floor)`, percentile(floor.driver, 50), 'ms', `${name}: wire time`);
  report.add(
    `${name}: emulator pacing lateness p50`,
    percentile(
      late.sort((a, b) => a - b),
      50,
    ),
    'ms',
    `${name}: wire time`,
  );
  report.add(
    `${name}: driver's own time p50 (all but the waits on the PTY)`,
    percentile(paced.own, 50),
    'ms',
    `${name}: wire time`,
  );
}

async function searchTimes(timing: EmulatorTiming): Promise<{ driver: number[]; wire: number[]; own: number[] }> {
  const baudRate = 57600;
  const emulator = new R30xEmulator({ timing });
  emulator.enrolDirect('alice', 500);
  emulator.finger = { kind: 'finger', name: 'alice' };
  return onPty(emulator, baudRate, async (link) => {
    const sensor = await R30xSensor.connect(new FrameChannel(link, new R30xDecoder(), { timeoutMs: 2000 }));
    await sensor.genImg();
    await sensor.img2Tz(1);
    const times: number[] = [];
    const wires: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < SEARCHES + 5; i++) {
      link.reset();
      const start = performance.now();
      await sensor.search(1, 0, sensor.info.capacity);
      const end = performance.now();
      if (i >= 5) {
        times.push(end - start);
        wires.push(wireMs(link.bytes, baudRate));
        own.push(link.ownTime(start, end));
      }
    }
    const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);
    return { driver: sorted(times), wire: sorted(wires), own: sorted(own) };
  });
}

async function cameraFrame(report: BenchReport, chunkSize: number): Promise<void> {
  const baudRate = 38400;
  const jpeg = testJpeg(64, 48, 7);
  const late: number[] = [];
  const emulator = new Vc0706Emulator({
    frames: [jpeg],
    timing: { processing: false, baudRate, onPaced: (ms) => late.push(ms) },
  });
  const { driver, wire, own } = await onPty(emulator, baudRate, async (link) => {
    const decoder = new Vc0706Decoder();
    const camera = new Vc0706Camera(new FrameChannel(link, decoder, { timeoutMs: 2000 }), decoder, { chunkSize });
    const times: number[] = [];
    const wires: number[] = [];
    const owns: number[] = [];
    for (let i = 0; i < FRAMES; i++) {
      link.reset();
      const start = performance.now();
      await camera.capture();
      const end = performance.now();
      times.push(end - start);
      wires.push(wireMs(link.bytes, baudRate));
      owns.push(link.ownTime(start, end));
    }
    const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);
    return { driver: sorted(times), wire: sorted(wires), own: sorted(owns) };
  });
  const name = `camera frame (${jpeg.length} B JPEG, ${chunkSize} B chunks), PTY @38400 (paced)`;
  report.add(`${name}: wire time`, percentile(wire, 50), 'ms');
  report.add(`${name}: driver p50`, percentile(driver, 50), 'ms', `${name}: wire time`);
  // Summed over the frame's round trips: how much of the excess is the emulator's timer, not the driver.
  report.add(
    `${name}: emulator pacing lateness, sum per frame`,
    late.reduce((a, b) => a + b, 0) / FRAMES,
    'ms',
    `${name}: wire time`,
  );
  report.add(`${name}: driver's own time p50`, percentile(own, 50), 'ms', `${name}: wire time`);
}
