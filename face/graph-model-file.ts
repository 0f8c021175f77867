// Loads a TensorFlow.js graph model (model.json + weight shards) from disk. tfjs-core only reads file://
// URLs through tfjs-node, which is optional, so the wasm backend needs this handler.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { io } from '@tensorflow/tfjs';
import type { Tf } from './face-api-types.ts';

export function fileModelHandler(tf: Tf, modelJsonPath: string): io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const shards = await Promise.all(
          manifest.flatMap((group) => group.paths).map((path) => readFile(join(dirname(modelJsonPath), path))),
        );
        const joined = Buffer.concat(shards);
        return [specs, joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength)];
      });
    },
  };
}

/** Routes file:// model URLs to fileModelHandler, for libraries that load their own models by URL (Human). */
export function registerFileModelRouter(tf: Tf): void {
  tf.io.registerLoadRouter((url) => {
    const text = Array.isArray(url) ? url[0] : url;
    // tfjs's router contract is "a handler or null", though its type says only IOHandler.
    return (
      typeof text === 'string' && text.startsWith('file://') ? fileModelHandler(tf, fileURLToPath(text)) : null
    ) as io.IOHandler;
  });
}
