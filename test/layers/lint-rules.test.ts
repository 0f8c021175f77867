// The lint rules that keep tests honest: a test skipped everywhere (.skip, .todo) or only on some machines
// (runIf, skipIf), or one run alone (.only), fails `npm run lint`. The probe is linted as this file's text.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SELF = fileURLToPath(import.meta.url);
const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });

async function lint(text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: SELF });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint', () => {
  it.each(['describe.runIf(true)', 'describe.skipIf(false)', 'it.runIf(true)', 'it.skipIf(false)', 'test.skip', 'describe.skip', 'it.todo'])('refuses %s', async (call) => {
    const messages = await lint(`import { ${call.split('.')[0] ?? ''} } from 'vitest';\n${call}('probe', () => undefined);\n`);
    expect(messages).toEqual(['no-restricted-syntax: No skipped tests (skip, todo, runIf, skipIf).']);
  });

  it('refuses .only', async () => {
    expect(await lint("import { it } from 'vitest';\nit.only('probe', () => undefined);\n")).toEqual(['no-restricted-syntax: No .only in tests.']);
  });

  it('accepts a plain test', async () => {
    expect(await lint("import { it } from 'vitest';\nit('probe', () => undefined);\n")).toEqual([]);
  });
});
