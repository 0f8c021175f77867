// Every `muster` command, grouped by the part of the system it drives.
import { accessCommands } from './access-commands.ts';
import { checkinCommands } from './checkin-commands.ts';
import type { Command } from './command.ts';
import { demoCommands } from './demo-commands.ts';
import { deviceCommands } from './device-commands.ts';
import { faceCommands } from './face-commands.ts';
import { kioskCommands } from './kiosk-commands.ts';
import { ledgerCommands } from './ledger-commands.ts';
import { netCommands } from './net-commands.ts';

export const COMMANDS: readonly Command[] = [...ledgerCommands, ...deviceCommands, ...faceCommands, ...checkinCommands, ...netCommands, ...kioskCommands, ...accessCommands, ...demoCommands];
