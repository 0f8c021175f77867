// `muster demo` (what `npm start` runs): the all-in-one demo centre.
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { errorMessage } from '../../core/errors.ts';
import { DemoCenter, type DemoSummary } from '../demo/demo-center.ts';
import { openKioskWindow } from '../demo/kiosk-window.ts';
import { untilSignal } from './signals.ts';
import { type CliIo, type Command, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, portNumber, optionalString } from './options.ts';

const demo: Command = {
  path: ['demo'],
  summary: 'run the demo centre: HQ, an embedded broker and two kiosks on emulated devices playing a scripted day',
  usage:
    'demo [--people N] [--duration SECONDS] [--day YYYY-MM-DD] [--web PORT] [--http PORT] [--mqtt-port PORT] [--data DIR] [--fresh] [--headless] [--json]',
  details: [
    '--people N          people under supervision (default 8; the first 6 play the script, the rest check in on time)',
    '--duration SECONDS  real seconds the scripted day (07:00-13:00, Asia/Shanghai) takes (default 60): the clock speed;',
    "                    each face check adds the face worker's time (about 0.3-2 s a frame)",
    '--day YYYY-MM-DD    the simulated day (default 2026-12-01)',
    '--web PORT          kiosk, staff and HQ screens (default 8000; 0 picks a free one)',
    '--http PORT         HQ API port (default 8080; 0 picks a free one)',
    '--mqtt-port PORT    embedded broker port (default 0: a free one, printed)',
    '--data DIR          where the logs, keys, kiosk configurations and enrolments live (default .muster/demo)',
    '--fresh             start from empty logs and new keys',
    '--headless          no screens: run the day, print a summary and exit (0 when every replica matches HQ)',
    '--json              with --headless: the summary as JSON',
    'Each kiosk has an emulated R30x fingerprint sensor, a VC0706 camera serving faces from a folder and a badge',
    'reader; the faces are cut from the sample photos @vladmandic/face-api ships (MIT licence).',
    "Without --headless it keeps running after the day until Ctrl-C, with the screens, HQ's API and the broker up;",
    'the kiosk opens in Electron when the Electron binary is installed.',
    'While it runs, lines on stdin play a parolee on the emulated devices (finger, face, card, unplug, replug,',
    'clock +MINUTES; "help" lists them): e.g. "finger 1 p-0007", "face 1 p-0007", then Start on the kiosk screen.',
    'The demo panel (its URL is printed) sends the same lines from buttons.',
  ],
  options: {
    'people': { type: 'string' },
    'duration': { type: 'string' },
    'day': { type: 'string' },
    'http': { type: 'string' },
    'web': { type: 'string' },
    'mqtt-port': { type: 'string' },
    'data': { type: 'string' },
    'fresh': { type: 'boolean' },
    'headless': { type: 'boolean' },
    'json': { type: 'boolean' },
  },
  run: async ({ values, io }) => {
    const people = nonNegativeInteger(optionalString(values, 'people') ?? '8', '--people');
    if (people < 6 || people > 500) throw new UsageError('--people must be between 6 and 500');
    const durationS = nonNegativeInteger(optionalString(values, 'duration') ?? '60', '--duration');
    if (durationS < 1) throw new UsageError('--duration must be at least 1 second');
    const json = values.json === true;
    if (json && !values.headless) throw new UsageError('--json needs --headless');
    if (values.headless && values.web !== undefined)
      throw new UsageError('--web serves the screens, which --headless leaves out');
    const say = (line: string): void => {
      if (!json) writeLine(io.stdout, line);
    };
    const start = DemoCenter.start({
      dataDir: resolve(optionalString(values, 'data') ?? '.muster/demo'),
      fresh: values.fresh === true,
      people,
      day: optionalString(values, 'day') ?? '2026-12-01',
      durationS,
      httpPort: portNumber(optionalString(values, 'http') ?? '8080', '--http'),
      mqttPort: portNumber(optionalString(values, 'mqtt-port') ?? '0', '--mqtt-port'),
      ...(values.headless ? {} : { webPort: portNumber(optionalString(values, 'web') ?? '8000', '--web') }),
      say,
    });
    const center = await start.catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'EADDRINUSE')
        throw new UsageError(
          `${errorMessage(error)}: pick another port with --web / --http / --mqtt-port (0 picks a free one)`,
        );
      throw error;
    });
    const { urls } = center;
    if (urls.kiosk) say(`Kiosk screen (centre-01/kiosk-1): ${urls.kiosk}`);
    if (urls.staff) say(`Staff screen: ${urls.staff}`);
    if (urls.hq) say(`HQ dashboard: ${urls.hq}`);
    if (urls.demo) say(`Demo panel (play a parolee with buttons, on this machine): ${urls.demo}`);
    for (const a of center.accounts) say(`  sign in as ${a.user} (${a.role}) with password ${a.password}`);
    say(
      `HQ API: ${urls.hqApi} (live events at ${center.http.url}/api/events)${center.accounts.length > 0 ? '; a signed-in session is needed' : ''}`,
    );
    say(`MQTT broker: ${urls.mqtt}`);
    const electron = urls.kiosk ? openKioskWindow(urls.kiosk, say) : undefined;
    if (!values.headless) {
      say('Play a parolee: type control lines here ("help" lists them).');
      void readControls(center, io);
    }
    try {
      const summary = await center.runDay();
      if (json) writeLine(io.stdout, JSON.stringify(summary, null, 2));
      else printSummary(summary, say);
      if (values.headless) return summary.replication.allRootsMatchHq ? 0 : 1;
      say('The centre keeps running; Ctrl-C to stop.');
      await untilSignal();
      return 0;
    } finally {
      electron?.kill();
      await center.close();
    }
  },
};

/** Control lines on stdin (main/demo/demo-controls.ts), each answered with one line, until stdin ends. */
export async function readControls(center: Pick<DemoCenter, 'control'>, io: CliIo): Promise<void> {
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    writeLine(io.stdout, await center.control(line).catch((error: unknown) => `error ${errorMessage(error)}`));
  }
}

function printSummary(s: DemoSummary, say: (line: string) => void): void {
  say('');
  say(`Summary of ${s.day} (${s.zone}), ${s.people} people:`);
  say(`  checked in: ${s.checkins.join(', ')}`);
  for (const b of s.breaches)
    say(`  BREACH ${b.rule}: ${b.subject} (${b.evidence} ${b.evidence === 1 ? 'entry' : 'entries'} of evidence)`);
  for (const e of s.excused) say(`  excused ${e.rule}: ${e.subject} (${e.reason})`);
  for (const r of s.reviews) say(`  for staff review (${r.status}): ${r.subject}, ${r.reason}`);
  say(
    `  every node computes the same findings: ${s.breachesAgreeOnEveryNode ? 'yes' : 'NO'}; alerts published: ${s.alerts}`,
  );
  for (const [origin, k] of Object.entries(s.replication.kiosks))
    say(`  ${origin}: ${k.size} entries, HQ holds ${k.hqSize}, roots ${k.rootMatchesHq ? 'match' : 'DIFFER'}`);
  say(`  face checks by the face worker: ${s.faceChecks.count} in ${s.faceChecks.ms} ms`);
  say(
    `  replication lag p50 ${s.replication.lagMs.p50} ms, max ${s.replication.lagMs.max} ms; catch-up after the outage ${s.replication.catchUpMs} ms`,
  );
}

export const demoCommands: readonly Command[] = [demo];
