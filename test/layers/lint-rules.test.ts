// The lint rules that keep tests honest: a test skipped everywhere (.skip, .todo) or only on some machines
// (runIf, skipIf), or one run alone (.only), fails `npm run lint`. The probes are checked with the rule exactly as
// the repository's config resolves it for a test file (as is a double cast, `as unknown as`, anywhere), without the type-aware rules (which need a whole program).
import { ESLint, type Linter } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
let eslint: ESLint;

beforeAll(async () => {
  const resolved = (await new ESLint({ cwd: ROOT }).calculateConfigForFile(SELF)) as {
    rules: Record<string, Linter.RuleEntry>;
  };
  const rule = resolved.rules['no-restricted-syntax'];
  if (!rule) throw new Error('the config sets no no-restricted-syntax rule for tests');
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      rules: { 'no-restricted-syntax': rule },
    },
  });
});

async function lint(text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: SELF });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint', () => {
  it.each([
    'describe.runIf(true)',
    'describe.skipIf(false)',
    'it.runIf(true)',
    'it.skipIf(false)',
    'test.skip',
    'describe.skip',
    'it.todo',
  ])('refuses %s', async (call) => {
    const messages = await lint(
      `import { ${call.split('.')[0] ?? ''} } from 'vitest';\n${call}('probe', () => undefined);\n`,
    );
    expect(messages).toEqual(['no-restricted-syntax: No skipped tests (skip, todo, runIf, skipIf).']);
  });

  it('refuses .only', async () => {
    expect(await lint("import { it } from 'vitest';\nit.only('probe', () => undefined);\n")).toEqual([
      'no-restricted-syntax: No .only in tests.',
    ]);
  });

  it('refuses `as unknown as`', async () => {
    expect(await lint('export const n = JSON.parse("1") as unknown as number;\n')).toEqual([
      'no-restricted-syntax: No `as unknown as`.',
    ]);
    expect(await lint('export const n: unknown = JSON.parse("1") as unknown;\n')).toEqual([]);
  });

  it('accepts a plain test', async () => {
    expect(await lint("import { it } from 'vitest';\nit('probe', () => undefined);\n")).toEqual([]);
  });
});
