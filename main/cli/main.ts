// Entry point of the `muster` command (bin/muster.js runs the build of this file). A build holds the command
// manifest beside it and loads only the command that runs; from the sources (tsx) every module is loaded.
import { readFile } from 'node:fs/promises';
import { MANIFEST_FILE, lazyCommands } from './command-manifest.ts';
import { reportUnhandledRejections } from '../../runtime/process-faults.ts';
import { runCli } from './run-cli.ts';
import { writeLine } from './command.ts';
import { MusterError } from '../../core/errors.ts';

// HQ and the kiosk run for months: a rejection nobody awaited is logged, never the end of the process.
reportUnhandledRejections();

const manifest = await readFile(new URL(MANIFEST_FILE, import.meta.url), 'utf8').catch((error: unknown) => {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
  throw error;
});
const commands = manifest === undefined ? (await import('./commands.ts')).COMMANDS : lazyCommands(JSON.parse(manifest));

/**
 * The log settings in the environment, checked before any command runs, so a bad one stops it at once by name
 * rather than at its first log record; the logger is loaded for it only when one is set (`--help` stays light).
 */
async function logSettingsOk(): Promise<boolean> {
  if (!process.env.MUSTER_LOG_LEVEL && !process.env.MUSTER_LOG_FORMAT) return true;
  const { rootLogger } = await import('../../runtime/logger.ts');
  try {
    rootLogger();
    return true;
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    writeLine(process.stderr, `muster: ${error.message}`);
    return false;
  }
}

process.exitCode = (await logSettingsOk())
  ? await runCli(commands, process.argv.slice(2), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    })
  : 1;
