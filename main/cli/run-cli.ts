// Dispatches argv to a command. Bad arguments: one line on stderr and exit 2, never a stack trace.
import { parseArgs } from 'node:util';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { type CliIo, type Command, UsageError, writeLine } from './command.ts';

export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

export async function runCli(commands: readonly Command[], argv: readonly string[], io: CliIo): Promise<number> {
  const command = findCommand(commands, argv);
  if (!command) return unknownCommand(commands, argv, io);
  const rest = argv.slice(command.path.length);
  const name = `muster ${command.path.join(' ')}`;
  if (rest.includes('--help') || rest.includes('-h')) {
    writeLine(io.stdout, helpText(command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    const count = parsed.positionals.length;
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (count < min)
      throw new UsageError(
        `expected ${min === max ? min : `at least ${min}`} argument${min === 1 ? '' : 's'}, got ${count}`,
      );
    if (count > max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
  } catch (error) {
    return usageFailure(name, error, io);
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, io });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(name, error, io);
    if (error instanceof MusterError || error instanceof TypeError) {
      writeLine(io.stderr, `${name}: ${error.message}`);
      return 1;
    }
    writeLine(io.stderr, `${name}: internal error: ${errorMessage(error)}`);
    if (process.env.MUSTER_DEBUG && error instanceof Error && error.stack) writeLine(io.stderr, error.stack);
    return EXIT_INTERNAL;
  }
}

function usageFailure(name: string, error: unknown, io: CliIo): number {
  writeLine(
    io.stderr,
    `${name}: ${errorMessage(error).replace(/\. To specify a positional argument.*$/s, '')} (see ${name} --help)`,
  );
  return EXIT_USAGE;
}

function findCommand(commands: readonly Command[], argv: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best;
}

function unknownCommand(commands: readonly Command[], argv: readonly string[], io: CliIo): number {
  // The words before the first option name the command; `muster ledger` is a group, `muster evidence export`
  // is nothing, and asking for its help does not make it something.
  const firstOption = argv.findIndex((a) => a.startsWith('-'));
  const words = firstOption < 0 ? argv : argv.slice(0, firstOption);
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const general = words.length === 0 || (words.length === 1 && words[0] === 'help');
  const group = commands.filter((c) => c.path[0] === words[0]);
  if (general && (wantsHelp || argv.length === 0 || words[0] === 'help')) {
    writeLine(io.stdout, listing(commands));
    return 0;
  }
  // `muster ledger --help` lists the ledger commands; `muster ledger` alone lists them as a usage error.
  if (words.length === 1 && group.length > 0) {
    writeLine(wantsHelp ? io.stdout : io.stderr, listing(group));
    return wantsHelp ? 0 : EXIT_USAGE;
  }
  const named = general ? (argv.find((a) => a.startsWith('-')) ?? '') : words.join(' ');
  writeLine(
    io.stderr,
    `muster: unknown ${general ? 'option' : 'command'} ${JSON.stringify(named)} (see muster --help)`,
  );
  return EXIT_USAGE;
}

function listing(shown: readonly Command[]): string {
  return [
    'Usage: muster <command> [options]',
    '',
    'Commands:',
    ...shown.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`),
    '',
    'Every command takes --help.',
  ].join('\n');
}

function helpText(command: Command): string {
  const lines = [`Usage: muster ${command.usage}`, '', command.summary];
  if (command.details?.length) lines.push('', ...command.details);
  return lines.join('\n');
}
