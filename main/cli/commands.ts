// Every `muster` command, every module loaded: for development, tests and the build's command manifest.
import type { Command } from './command.ts';
import { COMMAND_MODULES } from './command-modules.ts';

export const COMMANDS: readonly Command[] = (
  await Promise.all(Object.values(COMMAND_MODULES).map((load) => load()))
).flat();
