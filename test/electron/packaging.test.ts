// The package's entry points exist in the build: electron-builder's main is the JavaScript `npm run build`
// emits for main/electron/main.ts, and the preload beside it is the CommonJS build of preload.cts.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config from '../../electron.config.ts';

describe('kiosk packaging', () => {
  it('names a main entry that the build emits, and ships the renderer sources it bundles at start', () => {
    const main = config.extraMetadata.main;
    expect(main).toBe('dist/main/electron/main.js');
    expect(existsSync(main.replace(/^dist\//, '').replace(/\.js$/, '.ts'))).toBe(true);
    expect(existsSync('main/electron/preload.cts')).toBe(true);
    const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string }; include: string[] };
    expect(build.compilerOptions.outDir).toBe('dist');
    expect(build.include).toContain('main');
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*.js', 'dist/**/*.cjs', 'renderer/**/*.ts', 'core/**/*.ts']));
    expect(config.asar).toBe(false);
  });
});
