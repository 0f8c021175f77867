// Which validation library parses records on the breach engine's hot path: every check-in and check-in attempt of
// a city's year goes through the record parsers. The same rules (ids, enumerations, bounded lists and numbers,
// unknown fields refused, a staff-confirmed check-in naming its staff member) written in valibot, zod 4 and TypeBox,
// each against the hand-written parsers (bench/hand-written-readers.ts, once core/records/fields.ts) that Muster used before, the baseline
// measured in the same run. Muster's parsers (core/records/checkin.ts) are TypeBox's, measured last. TypeBox's compiled checker
// builds code with `new Function`, which the renderer's CSP (no unsafe-eval) forbids, so its interpreted
// `Value.Check` is measured too.
import { type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import * as v from 'valibot';
import * as z from 'zod';
import {
  ATTEMPT_OUTCOMES,
  ATTEMPT_STEPS,
  CHECKIN_METHODS,
  parseCheckin,
  parseCheckinAttempt,
} from '../core/records/checkin.ts';
import {
  type Fields,
  asFields,
  bad,
  count,
  id,
  isId,
  list,
  oneOf,
  onlyKeys,
  optionalId,
  score,
} from './hand-written-readers.ts';
import { parseDay } from '../core/time/civil-day.ts';
import { syntheticCity } from '../test/checkin/support/synthetic-city.ts';
import type { Suite } from './suites.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const ROUNDS = 3;

/** The hand-written parsers core/records/checkin.ts had before TypeBox (validation only). */
const handWritten = (() => {
  const method = (value: unknown, base: string, index: number): void => {
    if (typeof value !== 'string' || !(CHECKIN_METHODS as readonly string[]).includes(value))
      bad(`${base}[${index}]`, `expected one of ${CHECKIN_METHODS.join(', ')}`);
  };
  const checkCompletion = (value: unknown, base: string, index: number): void => {
    const path = `${base}[${index}]`;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
      bad(path, 'expected a map');
    const t = value as Fields;
    for (const key in t)
      if (key !== 'task' && key !== 'minutes' && key !== 'answers') bad(`${path}.${key}`, 'unknown field');
    if (!isId(t.task)) id(t, 'task', path);
    if (t.minutes !== undefined) count(t, 'minutes', path, 1440);
    if (t.answers !== undefined) {
      const answers = asFields(t.answers, `${path}.answers`);
      if (Object.keys(answers).length > 64) bad(path, 'more than 64 answers');
      for (const q of Object.keys(answers)) id(answers, q, path);
    }
  };
  const checkin = (payload: unknown): void => {
    const p = asFields(payload, 'checkin');
    onlyKeys(p, 'checkin', [
      'subject',
      'centre',
      'kiosk',
      'attempt',
      'methods',
      'fingerprintScore',
      'faceScore',
      'staff',
      'tasks',
    ]);
    id(p, 'subject', 'checkin');
    id(p, 'centre', 'checkin');
    id(p, 'kiosk', 'checkin');
    id(p, 'attempt', 'checkin');
    const methods = list(p, 'methods', 'checkin', 4);
    for (let i = 0; i < methods.length; i++) method(methods[i], 'checkin.methods', i);
    if (methods.length < 2) bad('checkin.methods', 'a check-in needs two methods (identify and verify)');
    if (optionalId(p, 'staff', 'checkin') === undefined && methods.includes('staff'))
      bad('checkin.staff', 'a staff-confirmed check-in names the staff member');
    score(p, 'fingerprintScore', 'checkin');
    score(p, 'faceScore', 'checkin');
    const tasks = list(p, 'tasks', 'checkin', 16);
    for (let i = 0; i < tasks.length; i++) checkCompletion(tasks[i], 'checkin.tasks', i);
  };
  const attempt = (payload: unknown): void => {
    const p = asFields(payload, 'checkin-attempt');
    const path = 'checkin-attempt';
    onlyKeys(p, path, [
      'attempt',
      'centre',
      'kiosk',
      'step',
      'method',
      'outcome',
      'subject',
      'identifiedBy',
      'score',
      'try',
      'fault',
    ]);
    oneOf(p, 'step', path, ATTEMPT_STEPS);
    oneOf(p, 'outcome', path, ATTEMPT_OUTCOMES);
    oneOf(p, 'method', path, CHECKIN_METHODS);
    if (p.identifiedBy !== undefined) oneOf(p, 'identifiedBy', path, CHECKIN_METHODS);
    id(p, 'attempt', path);
    id(p, 'centre', path);
    id(p, 'kiosk', path);
    optionalId(p, 'subject', path);
    optionalId(p, 'fault', path);
    score(p, 'score', path);
    count(p, 'try', path, 100);
  };
  return { checkin, attempt };
})();

const valibot = (() => {
  const id = v.pipe(v.string(), v.regex(ID));
  const score = v.optional(v.pipe(v.number(), v.finite(), v.minValue(-1e6), v.maxValue(1e6)));
  const completion = v.strictObject({
    task: id,
    minutes: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(1440))),
    answers: v.optional(v.pipe(v.record(id, id), v.maxEntries(64))),
  });
  const checkin = v.pipe(
    v.strictObject({
      subject: id,
      centre: id,
      kiosk: id,
      attempt: id,
      methods: v.pipe(v.array(v.picklist(CHECKIN_METHODS)), v.minLength(2), v.maxLength(4)),
      fingerprintScore: score,
      faceScore: score,
      staff: v.optional(id),
      tasks: v.pipe(v.array(completion), v.maxLength(16)),
    }),
    v.check(
      (c) => c.staff !== undefined || !c.methods.includes('staff'),
      'a staff-confirmed check-in names the staff member',
    ),
  );
  const attempt = v.strictObject({
    attempt: id,
    centre: id,
    kiosk: id,
    step: v.picklist(ATTEMPT_STEPS),
    method: v.picklist(CHECKIN_METHODS),
    outcome: v.picklist(ATTEMPT_OUTCOMES),
    subject: v.optional(id),
    identifiedBy: v.optional(v.picklist(CHECKIN_METHODS)),
    score,
    try: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(100)),
    fault: v.optional(id),
  });
  return { checkin: (p: unknown) => v.parse(checkin, p), attempt: (p: unknown) => v.parse(attempt, p) };
})();

const zod = (() => {
  const id = z.string().regex(ID);
  const score = z.number().min(-1e6).max(1e6).optional();
  const completion = z.strictObject({
    task: id,
    minutes: z.number().int().min(0).max(1440).optional(),
    answers: z.record(id, id).optional(),
  });
  const checkin = z
    .strictObject({
      subject: id,
      centre: id,
      kiosk: id,
      attempt: id,
      methods: z.array(z.enum(CHECKIN_METHODS)).min(2).max(4),
      fingerprintScore: score,
      faceScore: score,
      staff: id.optional(),
      tasks: z.array(completion).max(16),
    })
    .refine(
      (c) => c.staff !== undefined || !c.methods.includes('staff'),
      'a staff-confirmed check-in names the staff member',
    );
  const attempt = z.strictObject({
    attempt: id,
    centre: id,
    kiosk: id,
    step: z.enum(ATTEMPT_STEPS),
    method: z.enum(CHECKIN_METHODS),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    subject: id.optional(),
    identifiedBy: z.enum(CHECKIN_METHODS).optional(),
    score,
    try: z.number().int().min(0).max(100),
    fault: id.optional(),
  });
  return { checkin: (p: unknown) => checkin.parse(p), attempt: (p: unknown) => attempt.parse(p) };
})();

const typebox = (() => {
  const id = Type.String({ pattern: ID.source });
  const score = Type.Optional(Type.Number({ minimum: -1e6, maximum: 1e6 }));
  const methods = Type.Union(CHECKIN_METHODS.map((m) => Type.Literal(m)));
  const completion = Type.Object(
    {
      task: id,
      minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
      answers: Type.Optional(Type.Record(Type.String({ pattern: ID.source }), id, { maxProperties: 64 })),
    },
    { additionalProperties: false },
  );
  const checkin = Type.Object(
    {
      subject: id,
      centre: id,
      kiosk: id,
      attempt: id,
      methods: Type.Array(methods, { minItems: 2, maxItems: 4 }),
      fingerprintScore: score,
      faceScore: score,
      staff: Type.Optional(id),
      tasks: Type.Array(completion, { maxItems: 16 }),
    },
    { additionalProperties: false },
  );
  const attempt = Type.Object(
    {
      attempt: id,
      centre: id,
      kiosk: id,
      step: Type.Union(ATTEMPT_STEPS.map((s) => Type.Literal(s))),
      method: methods,
      outcome: Type.Union(ATTEMPT_OUTCOMES.map((o) => Type.Literal(o))),
      subject: Type.Optional(id),
      identifiedBy: Type.Optional(methods),
      score,
      try: Type.Integer({ minimum: 0, maximum: 100 }),
      fault: Type.Optional(id),
    },
    { additionalProperties: false },
  );
  const staffNamed = (p: unknown): void => {
    const c = p as { staff?: string; methods: string[] };
    if (c.staff === undefined && c.methods.includes('staff'))
      throw new Error('a staff-confirmed check-in names the staff member');
  };
  const checker = (schema: TSchema, compiled: boolean): ((p: unknown) => void) => {
    const check = compiled ? TypeCompiler.Compile(schema) : undefined;
    return (p) => {
      if (!(check ? check.Check(p) : Value.Check(schema, p))) throw new Error('invalid');
    };
  };
  const make = (compiled: boolean): { checkin: (p: unknown) => void; attempt: (p: unknown) => void } => {
    const c = checker(checkin, compiled);
    const a = checker(attempt, compiled);
    return {
      checkin: (p) => {
        c(p);
        staffNamed(p);
      },
      attempt: a,
    };
  };
  return { compiled: make(true), interpreted: make(false) };
})();

export const validationSuite: Suite = {
  name: 'validation',
  run(report) {
    const city = syntheticCity({
      people: 1000,
      startDay: parseDay('2025-01-01') as number,
      days: 365,
      seed: 7,
      outagePerMille: 5,
      compliance: 0.95,
    });
    const checkins = city.records.filter((r) => r.type === 'checkin').map((r) => r.payload);
    const attempts = city.records.filter((r) => r.type === 'checkin-attempt').map((r) => r.payload);
    report.add('validation: check-in payloads', checkins.length, 'records');
    report.add('validation: check-in attempt payloads', attempts.length, 'records');
    const candidates: readonly (readonly [
      string,
      { checkin: (p: unknown) => unknown; attempt: (p: unknown) => unknown },
    ])[] = [
      ['hand-written parsers (baseline)', handWritten],
      ['valibot 1.5', valibot],
      ['zod 4.6', zod],
      ['TypeBox 0.34 compiled (not in the renderer: new Function)', typebox.compiled],
      ['TypeBox 0.34 Value.Check', typebox.interpreted],
      [
        'Muster record parsers (TypeBox, core/records/checkin.ts)',
        { checkin: parseCheckin, attempt: parseCheckinAttempt },
      ],
    ];
    const baseline = 'validation: parse a year of 1,000 people, hand-written parsers (baseline)';
    for (const [name, parse] of candidates) {
      // Every candidate must accept every genuine record before its time means anything.
      for (const p of checkins) parse.checkin(p);
      for (const p of attempts) parse.attempt(p);
      let best = Infinity;
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        for (const p of checkins) parse.checkin(p);
        for (const p of attempts) parse.attempt(p);
        best = Math.min(best, performance.now() - start);
      }
      report.add(`validation: parse a year of 1,000 people, ${name}`, best, 'ms', baseline);
    }
    return Promise.resolve();
  },
};
