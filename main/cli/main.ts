// Entry point of the `muster` command (bin/muster.js loads this).
import { COMMANDS } from './commands.ts';
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(COMMANDS, process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
