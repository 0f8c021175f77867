// The one logger of every Muster process (pino): a record is one JSON line with its level, time, component and
// fields, on stdout, where journald keeps it; on a terminal (development) the same records read as plain lines.
// Each component logs through a child (`componentLogger('hq')`), so every record names where it came from.
// An entry point may replace the root logger (setRootLogger) before it starts components; tests hand a component
// its own logger over a MemoryLog and assert the records.
import { Writable } from 'node:stream';
import { pino, stdTimeFunctions } from 'pino';
import type { Logger } from 'pino';
import { oneOf, openObj } from '../core/api/check.ts';
import { schemaParser } from '../core/schema.ts';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** The environment's settings, by the one schema style; every other variable is let through. */
const LOG_ENV = openObj({}, { MUSTER_LOG_LEVEL: oneOf(LOG_LEVELS), MUSTER_LOG_FORMAT: oneOf(LOG_FORMATS) });
const parseLogEnv = schemaParser(LOG_ENV, 'bad-config', 'environment');

export interface LoggerOptions {
  /** Default: MUSTER_LOG_LEVEL, else info. */
  readonly level?: LogLevel;
  /** Default: MUSTER_LOG_FORMAT, else readable on a terminal and JSON lines otherwise (a service under systemd). */
  readonly format?: (typeof LOG_FORMATS)[number];
  /** Default: stdout. */
  readonly destination?: NodeJS.WritableStream;
}

/** A record as written: level by name, ISO time, the component and the fields given. */
export interface LogRecord {
  readonly level: Exclude<LogLevel, 'silent'>;
  readonly time: string;
  readonly msg: string;
  readonly component?: string;
  readonly [field: string]: unknown;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const env = logEnv();
  const format =
    options.format ??
    env.MUSTER_LOG_FORMAT ??
    ((destination as { isTTY?: boolean }).isTTY === true ? 'pretty' : 'json');
  return pino(
    {
      level: options.level ?? env.MUSTER_LOG_LEVEL ?? 'info',
      base: null,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    format === 'pretty' ? readable(destination) : destination,
  );
}

let root: Logger | undefined;

/** The process's logger (created on first use with the environment's settings). */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

export function setRootLogger(logger: Logger): void {
  root = logger;
}

/** The child logger of one component: its records carry `component`. */
export function componentLogger(component: string, parent: Logger = rootLogger()): Logger {
  return parent.child({ component });
}

/** Records kept in memory, parsed, for tests and for `muster` commands that show a service's log. */
export class MemoryLog {
  readonly records: LogRecord[] = [];
  readonly logger: Logger;

  constructor(level: LogLevel = 'trace') {
    const records = this.records;
    const sink = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') records.push(JSON.parse(line) as LogRecord);
        done();
      },
    });
    this.logger = createLogger({ level, format: 'json', destination: sink });
  }

  /** The records of one level (and component, when named). */
  at(level: LogRecord['level'], component?: string): LogRecord[] {
    return this.records.filter((r) => r.level === level && (component === undefined || r.component === component));
  }
}

/**
 * MUSTER_LOG_LEVEL and MUSTER_LOG_FORMAT (an empty one is unset); a value neither knows is bad-config naming the
 * variable, e.g. `environment.MUSTER_LOG_LEVEL: expected one of fatal, ...`.
 */
function logEnv(): ReturnType<typeof parseLogEnv> {
  const { MUSTER_LOG_LEVEL, MUSTER_LOG_FORMAT } = process.env;
  return parseLogEnv({
    ...(MUSTER_LOG_LEVEL ? { MUSTER_LOG_LEVEL } : {}),
    ...(MUSTER_LOG_FORMAT ? { MUSTER_LOG_FORMAT } : {}),
  });
}

/** pino's JSON lines turned into `12:00:01.234 WARN  hq: message key=value` for a person at a terminal. */
function readable(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line !== '') out.write(`${prettyLine(JSON.parse(line) as LogRecord)}\n`);
      done();
    },
  });
}

export function prettyLine(record: LogRecord): string {
  const { level, time, msg, component, err, ...fields } = record;
  const where = component === undefined ? '' : `${component}: `;
  const extra = Object.entries(fields).map(
    ([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  const error = isSerializedError(err) ? ` (${err.code === undefined ? '' : `${err.code}: `}${err.message})` : '';
  return `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${where}${msg}${error}${extra.join('')}`;
}

function isSerializedError(value: unknown): value is { message: string; code?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
