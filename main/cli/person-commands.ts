// `muster person plan|excuse|end`: people and plans from the command line, each a signed entry appended to the
// centre's staff log (a log initialised with `muster ledger init`, e.g. origin centre-01/staff) and naming the
// staff member: the same entries the staff screen writes (main/web/plan-decisions.ts, core/records).
// `muster person enrol|approve-enrolment`: at the running kiosk where the person stands (main/cli/staff-client.ts).
import { toHex } from '../../core/bytes.ts';
import type { EntryType, Payload } from '../../core/entry.ts';
import { RULE_IDS } from '../../core/breach/rule-ids.ts';
import { parseExcuse } from '../../core/records/staff-decisions.ts';
import { ALL_DAYS } from '../../core/records/plan.ts';
import { REASON_CODES, type ReasonCode, isReasonCode } from '../../core/records/reason.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import { readLogRecords } from '../kiosk/log-records.ts';
import { latestPlans } from '../web/attendance.ts';
import { type TaskRequest, endEntry, planEntry } from '../web/plan-decisions.ts';
import { type Command, type CliIo, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, optionalString, requireString, stringList } from './options.ts';
import { openWriter } from './ledger-commands.ts';
import { readTextCapped } from './read-capped.ts';
import { withStaffSession } from './staff-client.ts';
import { withStoreAsync } from './with-store.ts';

const common = {
  db: { type: 'string' },
  key: { type: 'string' },
  subject: { type: 'string' },
  reason: { type: 'string' },
  staff: { type: 'string' },
} as const;
const COMMON_DETAILS = [
  "--db names the centre's staff log (its own log is appended to, signed with --key or the key recorded at init).",
  `--staff names the member of staff who decided; --reason says why, as a code: ${REASON_CODES.join(', ')}.`,
  'Words never go on the log (signed, replicated, shown to the police): the staff screen keeps them in the personal-data store.',
];

/** --reason: a reason code; words are refused here, since this command has no personal-data store to keep them in. */
function reasonCode(values: Parameters<typeof requireString>[0]): ReasonCode {
  const reason = requireString(values, 'reason');
  if (!isReasonCode(reason))
    throw new UsageError(
      `--reason: one of ${REASON_CODES.join(', ')} (words belong in the personal-data store, not on the log)`,
    );
  return reason;
}

async function appendTo(
  store: LedgerStore,
  key: string | undefined,
  type: EntryType,
  payload: Payload,
  io: CliIo,
): Promise<number> {
  const appended = await openWriter(store, key).append(type, payload);
  writeLine(io.stdout, `${appended.seq} ${toHex(appended.hash)}`);
  return 0;
}

/** "daily" or weekday numbers "1,2,3,4,5" (0 = Sunday). */
function parseDays(text: string): number[] {
  if (text === 'daily') return [...ALL_DAYS];
  const days = text.split(',').map((d) => Number(d.trim()));
  if (days.some((d) => !Number.isInteger(d) || d < 0 || d > 6))
    throw new UsageError('--days: "daily" or weekdays 0-6 separated by commas (0 = Sunday)');
  return days;
}

/** study:MODULE, service:MINUTES or questionnaire:ID[:QUESTION=ANSWER,ANSWER;QUESTION=ANSWER]. */
export function parseTask(text: string, index: number): TaskRequest {
  const [kind, value, flags] = text.split(':');
  const id = `t${index + 1}`;
  if (kind === 'study' && value) return { id, kind, module: value };
  if (kind === 'service' && value) return { id, kind, minutes: nonNegativeInteger(value, 'task minutes') };
  if (kind === 'questionnaire' && value) {
    const parsed: Record<string, string[]> = {};
    for (const part of (flags ?? '').split(';').filter((p) => p !== '')) {
      const [question, answers] = part.split('=');
      if (!question || !answers) throw new UsageError(`--task ${text}: flags are QUESTION=ANSWER,ANSWER;...`);
      parsed[question] = answers.split(',');
    }
    return { id, kind, questionnaire: value, flags: parsed };
  }
  throw new UsageError(`--task ${text}: expected study:MODULE, service:MINUTES or questionnaire:ID[:Q=A,B;...]`);
}

const plan: Command = {
  path: ['person', 'plan'],
  summary: "set or change a person's supervision plan (a new person: their first plan)",
  usage:
    'person plan --db FILE [--key FILE] --centre ID --zone IANA --subject ID --start DAY [--end DAY] --window HH:MM-HH:MM [--days daily|1,2,3] [--grace MIN] [--late MIN] [--task SPEC]... --reason CODE --staff ID',
  details: [
    ...COMMON_DETAILS,
    '--task study:MODULE | service:MINUTES | questionnaire:ID[:QUESTION=ANSWER,ANSWER;...] (the answers that put the person on the review queue); repeat for each task.',
    'The new plan takes effect now; prints "<seq> <leaf hash hex>".',
  ],
  options: {
    ...common,
    centre: { type: 'string' },
    zone: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    window: { type: 'string' },
    days: { type: 'string' },
    grace: { type: 'string' },
    late: { type: 'string' },
    task: { type: 'string', multiple: true },
  },
  run: ({ values, io }) => {
    const [open, close] = requireString(values, 'window').split('-');
    if (!open || !close) throw new UsageError('--window: HH:MM-HH:MM');
    const payload = planEntry(
      {
        subject: requireString(values, 'subject'),
        start: requireString(values, 'start'),
        end: optionalString(values, 'end') ?? null,
        days: parseDays(optionalString(values, 'days') ?? 'daily'),
        open,
        close,
        graceMinutes: nonNegativeInteger(optionalString(values, 'grace') ?? '15', 'grace'),
        lateMinutes: nonNegativeInteger(optionalString(values, 'late') ?? '60', 'late'),
        tasks: stringList(values, 'task').map(parseTask),
        reason: reasonCode(values),
      },
      {
        centre: requireString(values, 'centre'),
        zone: requireString(values, 'zone'),
        staff: requireString(values, 'staff'),
        effectiveFrom: Date.now(),
      },
    );
    return withStoreAsync(requireString(values, 'db'), (store) =>
      appendTo(store, optionalString(values, 'key'), 'plan', payload, io),
    );
  },
};

const excuse: Command = {
  path: ['person', 'excuse'],
  summary: 'excuse a person for some days, ahead of time or after: leave (请假), travel (外出) or another reason',
  usage:
    'person excuse --db FILE [--key FILE] --subject ID --from DAY [--to DAY] [--rule RULE]... --reason CODE --staff ID',
  details: [...COMMON_DETAILS, `--rule: one of ${RULE_IDS.join(', ')}; none: every rule.`],
  options: { ...common, from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string', multiple: true } },
  run: ({ values, io }) => {
    const from = requireString(values, 'from');
    const payload = {
      subject: requireString(values, 'subject'),
      from,
      to: optionalString(values, 'to') ?? from,
      rules: stringList(values, 'rule'),
      reason: reasonCode(values),
      staff: requireString(values, 'staff'),
    };
    parseExcuse(payload);
    return withStoreAsync(requireString(values, 'db'), (store) =>
      appendTo(store, optionalString(values, 'key'), 'excuse', payload, io),
    );
  },
};

const end: Command = {
  path: ['person', 'end'],
  summary: "end a person's supervision after a day (the plan in force, with that last day)",
  usage: 'person end --db FILE [--key FILE] --subject ID --last DAY --reason CODE --staff ID',
  details: COMMON_DETAILS,
  options: { ...common, last: { type: 'string' } },
  run: ({ values, io }) => {
    const subject = requireString(values, 'subject');
    return withStoreAsync(requireString(values, 'db'), (store) => {
      const current = latestPlans(readLogRecords(store).records.filter((r) => r.payload.subject === subject)).get(
        subject,
      );
      return appendTo(
        store,
        optionalString(values, 'key'),
        'plan',
        endEntry(
          current,
          subject,
          requireString(values, 'last'),
          { reason: reasonCode(values) },
          requireString(values, 'staff'),
          Date.now(),
        ),
        io,
      );
    });
  },
};

const atKiosk = {
  'staff-screen': { type: 'string' },
  'user': { type: 'string' },
  'password-file': { type: 'string' },
  'subject': { type: 'string' },
} as const;
const AT_KIOSK_DETAILS = [
  "--staff-screen is the kiosk's staff screen URL as `muster kiosk run --web` prints it; --user a staff account of",
  'its centre (or an officer), its password read from --password-file so it never shows in the process list.',
];

/** Runs one staff API call at a kiosk's staff screen as the named account. */
function atKioskRun<T>(
  values: Parameters<typeof requireString>[0],
  use: Parameters<typeof withStaffSession<T>>[3],
): Promise<T> {
  const password = readTextCapped(requireString(values, 'password-file'), 4096, 'password file').trim();
  return withStaffSession(requireString(values, 'staff-screen'), requireString(values, 'user'), password, use);
}

const enrolAtKiosk: Command = {
  path: ['person', 'enrol'],
  summary: 'enrol a person at a running kiosk: their finger on its sensor, then their face before its camera',
  usage: 'person enrol --staff-screen URL --user NAME --password-file FILE --subject ID',
  details: [
    ...AT_KIOSK_DETAILS,
    'The person stands at that kiosk, which asks them (screen and voice) to place and lift their finger and face the',
    'camera; the kiosk signs the enrolment on its log naming --user. Someone enrolled already is re-enrolled only once',
    'a second person approved (`muster person approve-enrolment`): until then the request waits for that approval.',
    "Exit 0: enrolled; 2: not enrolled (the kiosk's message says why: no finger, a poor capture, an approval to wait for).",
  ],
  options: atKiosk,
  run: ({ values, io }) =>
    atKioskRun(values, async (call) => {
      const result = await call('staff.enrol', { subject: requireString(values, 'subject') });
      writeLine(result.ok ? io.stdout : io.stderr, result.message);
      return result.ok ? 0 : 2;
    }),
};

const approveEnrolment: Command = {
  path: ['person', 'approve-enrolment'],
  summary: "approve another staff member's request to re-enrol a person (never one's own)",
  usage: 'person approve-enrolment --staff-screen URL --user NAME --password-file FILE --subject ID',
  details: AT_KIOSK_DETAILS,
  options: atKiosk,
  run: ({ values, io }) =>
    atKioskRun(values, async (call) => {
      const subject = requireString(values, 'subject');
      const { requestedBy } = await call('staff.approveEnrolment', { subject });
      writeLine(io.stdout, `approved: ${requestedBy} may re-enrol ${subject}`);
      return 0;
    }),
};

export const personCommands: readonly Command[] = [plan, excuse, end, enrolAtKiosk, approveEnrolment];
