// The structured logger: JSON lines with level, time, component and fields; levels filter; a terminal reads plain
// lines; bad settings in the environment are refused by name.
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { MusterError } from '../../core/errors.ts';
import { MemoryLog, componentLogger, createLogger } from '../../runtime/logger.ts';
import { MUSTER_FROM_SOURCES } from '../helpers/run-muster.ts';

function captured(format: 'json' | 'pretty', level: 'info' | 'warn' = 'info') {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { logger: createLogger({ format, level, destination: out }), text: () => text };
}

afterEach(() => {
  delete process.env.MUSTER_LOG_LEVEL;
  delete process.env.MUSTER_LOG_FORMAT;
});

describe('createLogger', () => {
  it('writes one JSON line per record, naming its level, time and component, with a MusterError code', () => {
    const { logger, text } = captured('json');
    componentLogger('hq', logger).warn(
      { err: new MusterError('store-io', 'read failed'), origin: 'c/k1' },
      'fleet check failed',
    );
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'warn',
      component: 'hq',
      msg: 'fleet check failed',
      origin: 'c/k1',
      err: { code: 'store-io', message: 'read failed' },
    });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
  });

  it('drops records below its level', () => {
    const { logger, text } = captured('json', 'warn');
    logger.info('routine');
    logger.debug('detail');
    logger.error('broken');
    expect(
      text()
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['broken']);
  });

  it('reads as a plain line on a terminal', () => {
    const { logger, text } = captured('pretty');
    componentLogger('mqtt', logger).warn(
      { err: new MusterError('store-io', 'disk full'), repeats: 3 },
      'broker unreachable',
    );
    expect(text()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}mqtt: broker unreachable \(store-io: disk full\) repeats=3\n$/,
    );
  });

  it('takes its level and format from the environment, and refuses a bad one by name', () => {
    process.env.MUSTER_LOG_LEVEL = 'error';
    const log = new PassThrough();
    let text = '';
    log.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createLogger({ format: 'json', destination: log });
    logger.warn('held back');
    logger.error('shown');
    expect(text).toContain('"msg":"shown"');
    expect(text).not.toContain('held back');
    process.env.MUSTER_LOG_LEVEL = 'loud';
    expect(() => createLogger({ destination: log })).toThrow(
      /^environment\.MUSTER_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent$/,
    );
    process.env.MUSTER_LOG_LEVEL = '';
    process.env.MUSTER_LOG_FORMAT = 'xml';
    expect(() => createLogger({ destination: log })).toThrow(
      /^environment\.MUSTER_LOG_FORMAT: expected one of json, pretty$/,
    );
  });
});

describe('muster with bad log settings', () => {
  it('stops before the command, naming the variable, exit 1', () => {
    const run = spawnSync(process.execPath, [...MUSTER_FROM_SOURCES, 'ledger', 'verify', '--db', 'none.db'], {
      encoding: 'utf8',
      env: { ...process.env, MUSTER_LOG_LEVEL: 'loud' },
    });
    expect(run.stderr).toBe(
      'muster: environment.MUSTER_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent\n',
    );
    expect(run.status).toBe(1);
  }, 60_000);
});

describe('MemoryLog', () => {
  it('keeps the records parsed, by level and component', () => {
    const memory = new MemoryLog();
    componentLogger('a', memory.logger).info('one');
    componentLogger('b', memory.logger).warn('two');
    expect(memory.at('warn').map((r) => r.msg)).toEqual(['two']);
    expect(memory.at('info', 'a')).toHaveLength(1);
    expect(memory.at('info', 'b')).toHaveLength(0);
  });
});
