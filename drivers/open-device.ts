// Assembles a driver from configuration: transport, decoder, channel and driver, wired the one way that works
// (the decoder a driver steers must be the channel's). Returns the device and its health source for the registry.
import type { BindingInterface } from '@serialport/bindings-cpp';
import { BadgeReader } from './badge/badge-reader.ts';
import { DataModeDecoder } from './badge/keyboard-report.ts';
import { type HidTarget, openHidSource } from './badge/node-hid-source.ts';
import { Vc0706Camera, type Vc0706Options } from './camera/vc0706-camera.ts';
import { type Resolution, Vc0706Decoder } from './camera/vc0706-codec.ts';
import type { HealthSource } from './device-registry.ts';
import type { FingerprintSensor } from './fingerprint/fingerprint-sensor.ts';
import { Gt511Decoder } from './fingerprint/gt511-codec.ts';
import { Gt511Sensor } from './fingerprint/gt511-sensor.ts';
import { R30xDecoder } from './fingerprint/r30x-codec.ts';
import { R30xSensor } from './fingerprint/r30x-sensor.ts';
import { FrameChannel } from './frame-channel.ts';
import type { FrameDecoder } from './frame-decoder.ts';
import type { Backoff } from './reconnect.ts';
import { type SerialTarget, SerialTransport } from './serial-transport.ts';

/** The protocols' default baud rates (hardware/profiles.ts builds on these). */
export const DEFAULT_BAUD = { r30x: 57600, gt511: 9600, vc0706: 38400 } as const;

export interface SerialDeviceConfig {
  readonly target: SerialTarget;
  readonly baudRate?: number;
  /** Per-reply timeout; libraries of these families use 1-2 s. */
  readonly timeoutMs?: number;
  readonly reconnect?: Backoff | false;
  /** Tests and emulators only: a serialport binding other than the native one. */
  readonly binding?: BindingInterface;
}

export interface FingerprintConfig extends SerialDeviceConfig {
  readonly family: 'r30x' | 'gt511';
  readonly model?: string;
  readonly password?: number;
}

export interface Opened<D> {
  readonly device: D;
  readonly health: HealthSource;
}

async function openChannel<F>(
  config: SerialDeviceConfig,
  family: keyof typeof DEFAULT_BAUD,
  decoder: FrameDecoder<F>,
): Promise<FrameChannel<F>> {
  const transport = new SerialTransport({
    target: config.target,
    baudRate: config.baudRate ?? DEFAULT_BAUD[family],
    ...(config.binding ? { binding: config.binding } : {}),
    ...(config.reconnect === undefined ? {} : { reconnect: config.reconnect }),
  });
  await transport.open();
  return new FrameChannel(transport, decoder, { timeoutMs: config.timeoutMs ?? 1500 });
}

export async function openFingerprintSensor(config: FingerprintConfig): Promise<Opened<FingerprintSensor>> {
  if (config.family === 'gt511') {
    const decoder = new Gt511Decoder();
    const channel = await openChannel(config, 'gt511', decoder);
    return {
      device: await Gt511Sensor.connect(channel, decoder, config.model === undefined ? {} : { model: config.model }),
      health: channel,
    };
  }
  const channel = await openChannel(config, 'r30x', new R30xDecoder());
  const options = {
    ...(config.model === undefined ? {} : { model: config.model }),
    ...(config.password === undefined ? {} : { password: config.password }),
  };
  return { device: await R30xSensor.connect(channel, options), health: channel };
}

/** `resolution`: the image size set at open (the module keeps its own otherwise). */
export async function openCamera(
  config: SerialDeviceConfig & { readonly camera?: Vc0706Options; readonly resolution?: Resolution },
): Promise<Opened<Vc0706Camera>> {
  const decoder = new Vc0706Decoder();
  const channel = await openChannel(config, 'vc0706', decoder);
  const device = new Vc0706Camera(channel, decoder, config.camera);
  if (config.resolution) await device.setResolution(config.resolution);
  return { device, health: channel };
}

export interface BadgeConfig {
  readonly target: HidTarget;
  /** Detach the kernel driver (libusb backend) so card numbers never reach the desktop as keystrokes. */
  readonly exclusive?: boolean;
  /** Readers switched to vendor data mode: how the card bytes read. */
  readonly dataMode?: 'hex' | 'ascii';
  readonly reconnect?: Backoff | false;
}

export async function openBadgeReader(config: BadgeConfig): Promise<Opened<BadgeReader>> {
  const reader = new BadgeReader({
    open: () => openHidSource(config.target, { exclusive: config.exclusive ?? false }),
    ...(config.dataMode ? { decoder: new DataModeDecoder(config.dataMode) } : {}),
    ...(config.reconnect === undefined ? {} : { reconnect: config.reconnect }),
  });
  await reader.open();
  return { device: reader, health: reader };
}
