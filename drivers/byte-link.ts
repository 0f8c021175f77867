// The whole surface a driver needs from a transport: bytes both ways plus link state.
import type { EventEmitter } from 'node:events';
import type { DeviceError } from './device-error.ts';

export interface ByteLinkEvents {
  data: [Uint8Array];
  connected: [];
  disconnected: [DeviceError];
}

export interface ByteLink extends EventEmitter<ByteLinkEvents> {
  readonly connected: boolean;
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
