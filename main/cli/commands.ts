// Every `muster` command, grouped by the part of the system it drives.
import type { Command } from './command.ts';

export const COMMANDS: readonly Command[] = [];
