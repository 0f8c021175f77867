// Where a check-in's time goes: each step of the session (the fingerprint port, a camera frame, a frame's face
// analysis, a log append, the receipt) publishes its span on a diagnostics channel. Nobody subscribes in a
// kiosk's normal run, and then nothing is measured or built; the kiosk bench (bench/kiosk.bench.ts) subscribes
// to break finger-to-receipt down by step.
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type Capture, capture } from '../../face/capture.ts';
import type { FaceService } from '../../face/face-service.ts';

export type CheckinStep =
  /** The fingerprint port's call: waiting for the finger, capture, features and search. */
  | 'fingerprint'
  /** One camera frame, from the capture command to its last byte (`ahead`: taken during the fingerprint step). */
  | 'camera'
  /** One frame through the face worker and the quality gate (its decode and inference in `detail`). */
  | 'face-analysis'
  /** The face step waiting for the frame taken ahead (what is left of its camera transfer and analysis). */
  | 'face-ahead-wait'
  /** The screen's tasks step (no tap when nothing is due). */
  | 'tasks'
  /** One signed, durable log append (`detail.type`: the entry type). */
  | 'log-append'
  /** The receipt's inclusion proof and checkpoint. */
  | 'receipt-build'
  /** The receipt's QR code for the screen. */
  | 'receipt-render';

export interface CheckinSpan {
  readonly step: CheckinStep;
  /** performance.now() at the start and end of the step. */
  readonly start: number;
  readonly end: number;
  readonly detail?: Readonly<Record<string, string | number>>;
}

export const CHECKIN_TRACE = 'muster:kiosk.checkin';
const trace = channel(CHECKIN_TRACE);

/** Runs `work`, publishing its span when someone listens. `detail` may read the result (a frame's analysis). */
export async function traced<T>(
  step: CheckinStep,
  work: () => Promise<T>,
  detail?: (result: T) => Readonly<Record<string, string | number>>,
): Promise<T> {
  if (!trace.hasSubscribers) return work();
  const start = performance.now();
  const result = await work();
  trace.publish({ step, start, end: performance.now(), ...(detail ? { detail: detail(result) } : {}) });
  return result;
}

/** The synchronous steps' variant of traced. */
export function tracedSync<T>(step: CheckinStep, work: () => T): T {
  if (!trace.hasSubscribers) return work();
  const start = performance.now();
  const result = work();
  trace.publish({ step, start, end: performance.now() });
  return result;
}

/** One camera frame through the face worker and the quality gate, with the worker's decode and inference times. */
export function tracedCapture(service: FaceService, bytes: Uint8Array): Promise<Capture> {
  return traced(
    'face-analysis',
    () => capture(service, { kind: 'jpeg', bytes }),
    (c) => ({ decodeMs: c.analysis?.decodeMs ?? 0, inferenceMs: c.analysis?.inferenceMs ?? 0, usable: c.kind }),
  );
}

/** Collects every span published until the returned function is called (it returns them). */
export function collectSpans(): () => CheckinSpan[] {
  const spans: CheckinSpan[] = [];
  const listener = (message: unknown): void => {
    spans.push(message as CheckinSpan);
  };
  subscribe(CHECKIN_TRACE, listener);
  return () => {
    unsubscribe(CHECKIN_TRACE, listener);
    return spans;
  };
}
