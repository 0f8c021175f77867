// The package's entry points: electron-builder's main is the JavaScript `npm run build` emits for
// main/electron/main.ts (test/build/build.test.ts builds it, with the preload beside it), and the package ships
// the build, never TypeScript sources or a bundler.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config from '../../electron.config.ts';

describe('kiosk packaging', () => {
  it('names the built main entry and ships only built JavaScript and CSS besides the runtime packages', () => {
    const main = config.extraMetadata.main;
    expect(main).toBe('dist/main/electron/main.js');
    expect(existsSync(main.replace(/^dist\//, '').replace(/\.js$/, '.ts'))).toBe(true);
    expect(config.files).toEqual(['dist/**/*.js', 'dist/**/*.cjs', 'dist/**/*.css', 'package.json', 'node_modules/**']);
  });
});
