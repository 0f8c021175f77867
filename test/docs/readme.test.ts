// The README a newcomer reads: exactly two commands to run (the demo, the tests), every file it links to present,
// and every kiosk screenshot the tests keep in docs/screens/kiosk/ linked from it (issue 17: screenshots of each
// state, linked from the README).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(`${ROOT}/README.md`, 'utf8');
/** Links to files in the repository: [text](path), not to a URL or an anchor. */
const LINKS = [...README.matchAll(/\]\(([^)#\s]+)\)/g)]
  .map((m) => m[1] ?? '')
  .filter((target) => !/^[a-z]+:/.test(target));

describe('README', () => {
  it('gives a newcomer exactly two commands: one runs the demo, one runs the tests', () => {
    const section = /## Two commands\s+```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    const commands = section.split('\n').filter((line) => line.trim() !== '');
    expect(commands).toHaveLength(2);
    expect(commands[0]).toContain('npm start');
    expect(commands[1]).toContain('npm test');
  });

  it('links only to files that exist', () => {
    expect(LINKS.length).toBeGreaterThan(0);
    expect(LINKS.filter((target) => !existsSync(`${ROOT}/${target}`))).toEqual([]);
  });

  it('links every kiosk screenshot kept in docs/screens/kiosk/', () => {
    const shots = readdirSync(`${ROOT}/docs/screens/kiosk`).map((name) => `docs/screens/kiosk/${name}`);
    expect(shots.length).toBeGreaterThan(0);
    expect(shots.filter((shot) => !LINKS.includes(shot))).toEqual([]);
  });
});
