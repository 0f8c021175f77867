import type { Command } from './command.ts';

export const faceCommands: readonly Command[] = [];
