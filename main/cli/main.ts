// Entry point of the `muster` command (bin/muster.js runs the build of this file). A build holds the command
// manifest beside it and loads only the command that runs; from the sources (tsx) every module is loaded.
import { readFile } from 'node:fs/promises';
import { MANIFEST_FILE, lazyCommands } from './command-manifest.ts';
import { reportUnhandledRejections } from '../../runtime/process-faults.ts';
import { runCli } from './run-cli.ts';

// HQ and the kiosk run for months: a rejection nobody awaited is logged, never the end of the process.
reportUnhandledRejections();

const manifest = await readFile(new URL(MANIFEST_FILE, import.meta.url), 'utf8').catch((error: unknown) => {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
  throw error;
});
const commands = manifest === undefined ? (await import('./commands.ts')).COMMANDS : lazyCommands(JSON.parse(manifest));

process.exitCode = await runCli(commands, process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
