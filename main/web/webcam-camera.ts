// A camera that is the kiosk screen's webcam (issue 4: webcam capture). It fits the drivers' Camera interface,
// so the face port takes its frames exactly as it takes the VC0706's: main asks the screen for a frame over
// the typed API, the screen answers with one JPEG, and a screen that does not answer in time is a camera fault
// (device down, never the person failing).
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import type { KioskScreen } from './kiosk-screen.ts';

export class WebcamCamera implements Camera {
  constructor(
    private readonly screen: KioskScreen,
    private readonly timeoutMs = 5000,
  ) {}

  capture(): Promise<Uint8Array> {
    return this.screen.requestFrame(this.timeoutMs);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
