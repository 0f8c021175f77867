import type { Command } from './command.ts';

export const deviceCommands: readonly Command[] = [];
