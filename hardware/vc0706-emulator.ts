// A VC0706 serial JPEG camera serving a list of JPEG frames (from a folder or given by a test). Stop-frame freezes
// the current frame, reads serve slices of it, resume moves the live view to the next frame: a list is a moving
// sequence (a head turn for the face challenge), and `hold` keeps the live view on one frame (a photo held up).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FrameControl,
  ImageSize,
  type Resolution,
  Vc0706Command,
  Vc0706RequestDecoder,
  resolutionOf,
  vc0706Reply,
} from '../drivers/camera/vc0706-codec.ts';
import { type EmulatorTiming, SerialEmulator, ZERO_TIMING } from './emulator.ts';

export const VC0706_BOOT_TEXT = 'VC0703 1.00\r\nCtrl infr exist\r\nUser-defined sensor\r\n625\r\nInit end\r\n';
export const VC0706_VERSION = 'VC0703 1.00';
const STATUS_FORMAT_ERROR = 0x03;
const BOOT_MS = 300;
const CAPTURE_MS = 30;

export interface Vc0706EmulatorOptions {
  /** Frames at the module's largest size (640x480). */
  readonly frames: readonly Uint8Array[];
  readonly timing?: EmulatorTiming;
  /**
   * A frame as the module sends it at a smaller image size (set image size 0x31): the emulator replays bytes and
   * has no JPEG codec of its own, so its owner scales (main/kiosk/emulated-devices.ts: face/jpeg.ts shrinkJpeg).
   * Without it every size serves the frames as given.
   */
  readonly scale?: (frame: Uint8Array, resolution: Resolution) => Uint8Array;
}

export class Vc0706Emulator extends SerialEmulator {
  #frames: readonly Uint8Array[];
  #index = 0;
  #frozen: Uint8Array | null = null;
  #size: number = ImageSize['640x480'];
  /** The live view stays on its frame after each capture: a still photo before the camera. */
  hold = false;
  readonly #decoder = new Vc0706RequestDecoder();
  readonly #scale: Vc0706EmulatorOptions['scale'];
  /** Scaled frames, by source frame and size: scaling costs a decode and an encode, once per frame. */
  readonly #scaled = new WeakMap<Uint8Array, Map<Resolution, Uint8Array>>();

  constructor(options: Vc0706EmulatorOptions) {
    super(options.timing ?? ZERO_TIMING);
    if (options.frames.length === 0) throw new TypeError('frames: expected at least one JPEG');
    this.#frames = options.frames;
    this.#scale = options.scale;
  }

  /** Loads every *.jpg / *.jpeg in `dir`, in name order. */
  static framesFrom(dir: string): Uint8Array[] {
    return readdirSync(dir)
      .filter((f) => /\.jpe?g$/i.test(f))
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(dir, f))));
  }

  /** The live view's frame at the module's current image size. */
  get current(): Uint8Array {
    const frame = this.#frames[this.#index] as Uint8Array;
    const resolution = resolutionOf(this.#size);
    if (!this.#scale || resolution === undefined || resolution === '640x480') return frame;
    const sizes = this.#scaled.get(frame) ?? new Map<Resolution, Uint8Array>();
    this.#scaled.set(frame, sizes);
    const scaled = sizes.get(resolution) ?? this.#scale(frame, resolution);
    sizes.set(resolution, scaled);
    return scaled;
  }

  /** Moves the live view to the next frame (or to frame `index`). */
  nextFrame(index = (this.#index + 1) % this.#frames.length): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#frames.length)
      throw new TypeError(`index: expected 0..${this.#frames.length - 1}, got ${index}`);
    this.#index = index;
  }

  setFrames(frames: readonly Uint8Array[]): void {
    if (frames.length === 0) throw new TypeError('frames: expected at least one JPEG');
    this.#frames = frames;
    this.#index = 0;
    this.#frozen = null;
  }

  protected override onUnplug(): void {
    this.#decoder.reset();
    this.#frozen = null;
  }

  protected override handle(bytes: Uint8Array): void {
    for (const item of this.#decoder.push(bytes)) {
      if ('error' in item) continue;
      const { command, args } = item.frame;
      const requestBytes = 4 + args.length;
      const ok = (data: readonly number[] | Uint8Array = [], ms = 0): void => {
        this.reply(vc0706Reply(command, 0, data), ms, requestBytes);
      };
      switch (command) {
        case Vc0706Command.reset:
          this.#frozen = null;
          ok();
          this.send(latin1(VC0706_BOOT_TEXT), BOOT_MS);
          break;
        case Vc0706Command.version:
          ok(latin1(VC0706_VERSION));
          break;
        case Vc0706Command.getImageSize:
          ok([this.#size]);
          break;
        case Vc0706Command.setImageSize:
          if (args[0] === 0x04 && args.length === 5) this.#size = args[4] ?? this.#size;
          ok();
          break;
        case Vc0706Command.frameControl:
          this.#frameControl(args[0] ?? -1);
          ok([], CAPTURE_MS);
          break;
        case Vc0706Command.frameLength: {
          const length = (this.#frozen ?? this.current).length;
          ok([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
          break;
        }
        case Vc0706Command.readFrame:
          this.#read(args, requestBytes);
          break;
        case Vc0706Command.setBaud:
          ok();
          break;
        default:
          this.reply(vc0706Reply(command, STATUS_FORMAT_ERROR), 0, requestBytes);
      }
    }
  }

  #frameControl(control: number): void {
    if (control === FrameControl.stopCurrent) this.#frozen = this.current;
    else if (control === FrameControl.resume && this.#frozen) {
      this.#frozen = null;
      if (!this.hold) this.nextFrame();
    }
  }

  /** Args: 00 0A, address (4, BE), length (4, BE), delay (2). Beyond the frame the buffer reads as zeros. */
  #read(args: Uint8Array, requestBytes: number): void {
    if (args.length !== 12) {
      this.reply(vc0706Reply(Vc0706Command.readFrame, STATUS_FORMAT_ERROR), 0, requestBytes);
      return;
    }
    const view = new DataView(args.buffer, args.byteOffset, args.length);
    const address = view.getUint32(2);
    const length = view.getUint32(6);
    const frame = this.#frozen ?? this.current;
    const data = new Uint8Array(length);
    data.set(frame.subarray(Math.min(address, frame.length), Math.min(address + length, frame.length)));
    const head = vc0706Reply(Vc0706Command.readFrame, 0);
    const out = new Uint8Array(head.length * 2 + length);
    out.set(head);
    out.set(data, head.length);
    out.set(head, head.length + length);
    this.reply(out, 0, requestBytes);
  }
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
