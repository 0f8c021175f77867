// `muster kiosk run`: a kiosk from its configuration file: devices, face worker, log and replication, and the
// kiosk and staff screens. Prints one "ready" line (supervisors and tests read it) and stops cleanly on SIGINT
// or SIGTERM.
import { UserStore } from '../../access/user-store.ts';
import { kioskScreens } from '../kiosk/kiosk-screens.ts';
import { inProcessDevices } from '../kiosk/emulated-devices.ts';
import { loadKioskConfig, parseKioskConfig, type KioskConfig } from '../kiosk/kiosk-config.ts';
import { KioskRuntime } from '../kiosk/kiosk-runtime.ts';
import { type Command, writeLine } from './command.ts';
import { portNumber, optionalString, requireString } from './options.ts';
import { untilSignal } from './signals.ts';

const run: Command = {
  path: ['kiosk', 'run'],
  summary: 'run a kiosk from its configuration file: devices, face matching, check-ins, replication, screens',
  usage: 'kiosk run --config FILE [--web PORT] [--users FILE] [--emulate]',
  details: [
    '--config FILE   the kiosk configuration (JSON): centre, kiosk, dataDir, peers, broker, face.threshold (from',
    '                muster face calibrate), devices (fingerprint, camera, badge), timeouts; see ARCHITECTURE.md',
    '--web PORT      serve the kiosk screen (and the staff screen with --users) on 127.0.0.1:PORT; 0 picks a free one',
    '--users FILE    the user store for staff sign-in (access layer)',
    '--emulate       emulated devices in this process instead of the configured ones (try a kiosk without hardware)',
    'Exit: 0 after SIGINT/SIGTERM; 1 when the configuration is wrong (the message names the field).',
  ],
  options: {
    config: { type: 'string' },
    web: { type: 'string' },
    users: { type: 'string' },
    emulate: { type: 'boolean' },
  },
  run: async ({ values, io }) => {
    let config = loadKioskConfig(requireString(values, 'config'));
    const emulated = values.emulate ? inProcessDevices(`cli-${process.pid}`) : undefined;
    if (emulated) config = withDevices(config, emulated.devices);
    const webPort = optionalString(values, 'web');
    const usersFile = optionalString(values, 'users');
    const users = usersFile === undefined ? undefined : UserStore.open(usersFile);
    const screens = webPort === undefined ? undefined : kioskScreens(config);
    // Listened for before start-up: a SIGTERM while devices open and models load (seconds) is a clean stop once
    // the runtime is up, never an exit 143 that leaves devices and the log store half open.
    const stopped = untilSignal();
    writeLine(io.stdout, `kiosk ${config.kiosk} starting`);
    const runtime = await KioskRuntime.start({
      config,
      ...(emulated?.inProcess ?? {}),
      ...(screens ? { screen: screens.screen, staff: screens.staff, onAlert: screens.onAlert } : {}),
    });
    try {
      const web = screens ? await screens.serve(runtime, portNumber(webPort ?? '0', '--web'), users) : undefined;
      const devices = runtime
        .devices()
        .map((d) => `${d.kind} ${d.state}`)
        .join(', ');
      writeLine(
        io.stdout,
        `kiosk ${config.kiosk} ready: devices ${devices}; face threshold ${runtime.faceThreshold}; log size ${runtime.ledger.head(config.kiosk).size}${web ? `; kiosk screen ${web.urls.kiosk ?? ''}${web.urls.staff ? `, staff screen ${web.urls.staff}` : ''}` : ''}`,
      );
      const signal = await stopped;
      writeLine(io.stdout, `kiosk stopping (${signal})`);
      await web?.close();
    } finally {
      await runtime.close();
      users?.close();
      await emulated?.close();
    }
    return 0;
  },
};

/** The configuration with another devices section, checked like the file's. */
function withDevices(config: KioskConfig, devices: Record<string, unknown>): KioskConfig {
  const { devices: checked } = parseKioskConfig(
    { centre: config.centre, kiosk: config.kiosk, broker: { url: config.broker.url }, devices },
    `${config.source} (--emulate)`,
    config.dataDir,
  );
  return { ...config, devices: checked };
}

export const kioskCommands: readonly Command[] = [run];
