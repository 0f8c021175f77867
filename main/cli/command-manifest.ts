// What --help and argument parsing need of every command, without its code: the build writes it beside the
// compiled CLI (commands.json), so a compiled `muster` loads only the module of the command it runs.
import type { Command } from './command.ts';
import { COMMAND_MODULES, type CommandModule, isCommandModule } from './command-modules.ts';

export const MANIFEST_FILE = 'commands.json';

export type ManifestEntry = Omit<Command, 'run'> & { readonly module: CommandModule };

/** Every command's description, by module (the build side: loads every module once). */
export async function commandManifest(): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const [module, load] of Object.entries(COMMAND_MODULES)) {
    if (!isCommandModule(module)) continue;
    for (const { path, summary, usage, details, options, positionals } of await load()) {
      entries.push({
        module,
        path,
        summary,
        usage,
        options,
        ...(details ? { details } : {}),
        ...(positionals ? { positionals } : {}),
      });
    }
  }
  return entries;
}

/** Commands from a manifest whose `run` loads the command's module first. */
export function lazyCommands(manifest: unknown): Command[] {
  if (!Array.isArray(manifest)) throw new TypeError(`${MANIFEST_FILE}: expected an array`);
  return manifest.map((entry: unknown, i) => {
    const described = manifestEntry(entry, `${MANIFEST_FILE}[${i}]`);
    return {
      ...described,
      run: async (context) => {
        const command = (await COMMAND_MODULES[described.module]()).find(
          (c) => c.path.join(' ') === described.path.join(' '),
        );
        if (!command)
          throw new Error(
            `${MANIFEST_FILE} names muster ${described.path.join(' ')}, which module ${described.module} does not hold: rebuild (npm run build)`,
          );
        return command.run(context);
      },
    };
  });
}

function manifestEntry(entry: unknown, where: string): ManifestEntry {
  if (typeof entry !== 'object' || entry === null) throw new TypeError(`${where}: expected an object`);
  const { module, path, summary, usage, details, options, positionals } = entry as Record<string, unknown>;
  const strings = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (typeof module !== 'string' || !isCommandModule(module))
    throw new TypeError(`${where}.module: not a command module`);
  if (!strings(path) || typeof summary !== 'string' || typeof usage !== 'string')
    throw new TypeError(`${where}: expected path, summary and usage`);
  if (details !== undefined && !strings(details)) throw new TypeError(`${where}.details: expected lines`);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}.options: expected an object`);
  const described: ManifestEntry = {
    module,
    path,
    summary,
    usage,
    options: options as Command['options'],
    ...(details ? { details } : {}),
  };
  if (positionals === undefined) return described;
  const { min, max } =
    typeof positionals === 'object' && positionals !== null ? (positionals as Record<string, unknown>) : {};
  if (typeof min !== 'number' || typeof max !== 'number')
    throw new TypeError(`${where}.positionals: expected min and max`);
  return { ...described, positionals: { min, max } };
}
