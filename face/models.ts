// Model files come from installed npm packages and are read from disk, never fetched from a URL: a kiosk
// runs offline, and a model swapped on a server must not change who gets matched.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The package root, found from its main file in dist/ (Human's exports map hides package.json). */
function packageDirectory(name: string): string {
  return dirname(dirname(require.resolve(name)));
}

/** ssd_mobilenetv1, tiny_face_detector, face_landmark_68, face_recognition (128-d). */
export function faceApiModelDirectory(): string {
  return join(packageDirectory('@vladmandic/face-api'), 'model');
}

/** antispoof, liveness and the rest of Human's models. */
export function humanModelDirectory(): string {
  return join(packageDirectory('@vladmandic/human'), 'models');
}

/** Human's build on tfjs-core + the wasm backend (its exports map offers no subpath for it). */
export function humanWasmBuild(): string {
  return join(packageDirectory('@vladmandic/human'), 'dist', 'human.node-wasm.js');
}
