// Every module of `muster` commands, by name. Each loads only when it is needed: a build runs one command
// after loading just its module (main/cli/command-manifest.ts); a new module of commands is one line here.
import type { Command } from './command.ts';

export const COMMAND_MODULES = {
  ledger: async () => (await import('./ledger-commands.ts')).ledgerCommands,
  device: async () => (await import('./device-commands.ts')).deviceCommands,
  face: async () => (await import('./face-commands.ts')).faceCommands,
  checkin: async () => (await import('./checkin-commands.ts')).checkinCommands,
  net: async () => (await import('./net-commands.ts')).netCommands,
  kiosk: async () => (await import('./kiosk-commands.ts')).kioskCommands,
  access: async () => (await import('./access-commands.ts')).accessCommands,
  demo: async () => (await import('./demo-commands.ts')).demoCommands,
  person: async () => (await import('./person-commands.ts')).personCommands,
  evidence: async () => (await import('./evidence-commands.ts')).evidenceCommands,
} as const satisfies Record<string, () => Promise<readonly Command[]>>;

export type CommandModule = keyof typeof COMMAND_MODULES;

export function isCommandModule(name: string): name is CommandModule {
  return Object.hasOwn(COMMAND_MODULES, name);
}
