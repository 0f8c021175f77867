// The kiosk screen's backend, and the check-in workflow's ScreenPort: the workflow's guidance and task
// requests become a KioskView pushed to the screen; the screen's Start, task answers, Cancel, Call staff and
// Finish come back as API calls. Main owns every countdown, so a screen that is closed, frozen or reloaded
// never leaves a person's data up or a session hanging: a device wait that runs out, tasks left unanswered
// and a walk-away end the session with nothing submitted; the receipt and every failure screen return to the
// start by themselves. Every call is idempotent: a double tap changes nothing.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EventMessage } from '../../core/api/api.ts';
import { CALL_REASONS, type CallReason } from '../../core/api/staff-api.ts';
import {
  type KioskInfo,
  type KioskLanguage,
  type KioskView,
  type Names,
  type TaskView,
  stepOf,
} from '../../core/api/kiosk-api.ts';
import { type CancelReason, type DeviceAvailability, MAX_TRIES } from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { fromBase64 } from '../../core/bytes.ts';
import { MusterError } from '../../core/errors.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import { parseCheckin, type TaskCompletion } from '../../core/records/checkin.ts';
import type { TaskSpec } from '../../core/records/plan.ts';
import type { CheckinOutcome } from '../kiosk/checkin-workflow.ts';
import type { ScreenPort } from '../kiosk/ports.ts';
import { traced } from '../kiosk/checkin-trace.ts';
import { renderReceipt } from '../kiosk/receipt.ts';
import type { ApiBackend, Handlers } from './api-service.ts';

export interface KioskScreenOptions {
  /** Seconds the tasks wait for a touch before the session is cancelled (never submitted). Default 60. */
  readonly idleSeconds?: number;
  /** Seconds the receipt stays up. Default 10. */
  readonly receiptSeconds?: number;
  /** Seconds a failure screen (see staff, with the reference) stays up. Default 30. */
  readonly failureSeconds?: number;
  /** Seconds a "cancelled" or "nobody there" notice stays up. Default 5. */
  readonly noticeSeconds?: number;
  /** A device wait whose port gives no bound (the face step). Default 30. */
  readonly waitSeconds?: number;
  readonly language?: KioskLanguage;
  /** The centre's IANA zone; default the machine's. */
  readonly zone?: string;
  /** The centre's name in each language; default its id. */
  readonly centre?: Names;
  /** Task names in each language, by study module, questionnaire or task id (the kiosk configuration's `names.tasks`). */
  readonly taskNames?: Readonly<Record<string, Names>>;
  readonly voice?: boolean;
  readonly clock?: () => number;
  /** Calls staff to the kiosk (the staff screen shows it) when a session ends with the person sent to staff. */
  readonly callStaff?: (reference: string, reason: CallReason) => void;
}

/** What the kiosk runtime tells the start screen: which devices work, and today's window. */
export interface KioskStatus {
  readonly available: DeviceAvailability;
  readonly window: { readonly open: number; readonly close: number } | null;
}

/** Extra seconds main waits past a device's own bound before it ends the wait itself. */
const GRACE_MS = 3000;
const STATUS_EVERY_MS = 2000;
/** Until the runtime says otherwise (attach), every device is taken to work. */
const UNKNOWN: KioskStatus = { available: { fingerprint: true, camera: true, badge: true }, window: null };
/** A centre with no configured name. */
const CENTRE: Names = { 'zh-CN': '社区矫正中心', 'en': 'Community corrections centre' };

type Shown = Pick<KioskView, 'phase' | 'step' | 'guidance' | 'tasks' | 'receipt'> &
  Partial<Pick<KioskView, 'try' | 'countdown' | 'reference' | 'still'>>;

const START: Shown = { phase: 'idle', step: null, guidance: null, tasks: [], receipt: null };

export class KioskScreen implements ScreenPort, ApiBackend {
  private view: KioskView;
  private readonly events = new EventEmitter<{ view: [KioskView]; capture: [string]; touch: [] }>();
  private readonly frames = new Map<string, (frame: Uint8Array) => void>();
  private run: (() => Promise<CheckinOutcome>) | undefined;
  private status: () => KioskStatus = () => UNKNOWN;
  private statusTimer: NodeJS.Timeout | undefined;
  private running = false;
  private resetRequested = false;
  private interrupt:
    { readonly promise: Promise<CancelReason>; readonly resolve: (reason: CancelReason) => void } | undefined;
  private pendingTasks:
    { readonly resolve: (c: readonly TaskCompletion[]) => void; readonly due: readonly TaskSpec[] } | undefined;
  /** The current view's countdown: what happens when it runs out. */
  private timer: NodeJS.Timeout | undefined;
  /**
   * When the current view's countdown runs out, on the clock: a view republished within a step (a prompt, a still)
   * counts down to it, never again from the countdown it was first shown with.
   */
  private ends: number | null = null;
  /** A device wait the presence cue may end sooner: its own end, on the clock. */
  private watchedWait: { readonly own: number } | undefined;
  private readonly o: Required<Omit<KioskScreenOptions, 'centre' | 'taskNames' | 'callStaff'>> &
    Pick<KioskScreenOptions, 'centre' | 'taskNames' | 'callStaff'>;

  readonly handlers: Handlers = {
    'kiosk.view': () => this.view,
    'kiosk.begin': () => {
      this.begin();
      return {};
    },
    'kiosk.submitTasks': ({ completions }) => {
      this.submitTasks(completions);
      return {};
    },
    'kiosk.reset': () => {
      this.reset();
      return {};
    },
    'kiosk.cancel': ({ staff }) => {
      this.interrupt?.resolve(staff ? 'call-staff' : 'cancelled');
      return {};
    },
    'kiosk.touch': () => {
      if (this.pendingTasks) this.showTasks();
      // The presence cue of a long wait (main/kiosk/presence-watch.ts): a touch is the person still there.
      if (this.running) this.events.emit('touch');
      return {};
    },
    'kiosk.frame': ({ id, jpeg }) => {
      const waiting = this.frames.get(id);
      if (!waiting) throw new MusterError('not-asked', `no frame ${id} is waiting (answered already, or timed out)`);
      const bytes = Buffer.from(jpeg, 'base64');
      if (bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes.at(-2) !== 0xff || bytes.at(-1) !== 0xd9)
        throw new MusterError('bad-message', 'params.jpeg: not a whole JPEG');
      waiting(new Uint8Array(bytes));
      return {};
    },
  };

  constructor(options: KioskScreenOptions = {}) {
    this.o = {
      idleSeconds: options.idleSeconds ?? 60,
      receiptSeconds: options.receiptSeconds ?? 10,
      failureSeconds: options.failureSeconds ?? 30,
      noticeSeconds: options.noticeSeconds ?? 5,
      waitSeconds: options.waitSeconds ?? 30,
      language: options.language ?? 'zh-CN',
      zone: options.zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      voice: options.voice ?? false,
      clock: options.clock ?? Date.now,
      ...(options.centre ? { centre: options.centre } : {}),
      ...(options.taskNames ? { taskNames: options.taskNames } : {}),
      ...(options.callStaff ? { callStaff: options.callStaff } : {}),
    };
    this.view = this.viewOf(START);
  }

  /**
   * Connects the Start button to the check-in (the kiosk runtime passes `() => workflow.run()`), and the start
   * screen to the runtime's device states and today's window, which it shows and keeps current between sessions.
   */
  attach(run: () => Promise<CheckinOutcome>, status?: () => KioskStatus): void {
    this.run = run;
    if (!status) return;
    this.status = status;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = setInterval(() => {
      if (this.view.phase !== 'idle') return;
      const next = this.viewOf(START);
      if (JSON.stringify(next.kiosk) !== JSON.stringify(this.view.kiosk)) this.publish(next);
    }, STATUS_EVERY_MS);
    this.statusTimer.unref();
    this.publish(this.viewOf(START));
  }

  /** Stops the start screen's refresh and every countdown. */
  close(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.stopTimer();
  }

  subscribe(listener: (message: EventMessage) => void): () => void {
    const on = (view: KioskView): void => {
      listener({ event: 'kiosk.view', data: view });
    };
    const capture = (id: string): void => {
      listener({ event: 'kiosk.capture', data: { id } });
    };
    this.events.on('view', on);
    this.events.on('capture', capture);
    return () => {
      this.events.off('view', on);
      this.events.off('capture', capture);
    };
  }

  /** One JPEG from the screen's webcam (main/web/webcam-camera.ts); rejects when none comes in time. */
  requestFrame(timeoutMs: number): Promise<Uint8Array> {
    const id = randomBytes(8).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.frames.delete(id);
        // The webcam's fault (device down: staff confirm), never Muster's or the person's.
        reject(new DeviceError('camera.timeout', `the kiosk screen sent no webcam frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.frames.set(id, (frame) => {
        clearTimeout(timer);
        this.frames.delete(id);
        resolve(frame);
      });
      this.events.emit('capture', id);
    });
  }

  current(): KioskView {
    return this.view;
  }

  /** A session that ran without this screen's Start button (the demo's scripted visits) ended: its outcome shows, then the start. */
  async played(outcome: CheckinOutcome): Promise<void> {
    if (this.running) return;
    await this.finish(outcome);
  }

  // ScreenPort
  guide(guidance: GuidanceCode, tryNumber?: number): void {
    const step = stepOf(guidance);
    // Outcomes (failures, cancel) show when the session ends, with their reference and countdown.
    if (step === null) return;
    this.show(
      {
        phase: 'active',
        step,
        guidance,
        tasks: [],
        receipt: null,
        try: tryNumber === undefined ? null : { n: tryNumber, of: MAX_TRIES },
      },
      null,
    );
  }

  waiting(ms: number | undefined, idleMs?: number): void {
    const waitMs = ms ?? this.o.waitSeconds * 1000;
    const shownMs = Math.min(waitMs, idleMs ?? waitMs);
    // Past the device's own bound, main ends the wait itself: a hung device never holds a person's session.
    this.show({ ...this.view, countdown: Math.ceil(shownMs / 1000) }, waitMs + GRACE_MS, () =>
      this.interrupt?.resolve('absent'),
    );
    const now = this.o.clock();
    this.ends = now + shownMs;
    if (idleMs !== undefined) this.watchedWait = { own: now + waitMs };
  }

  /** The countdown of a watched wait follows the presence cue's end (the cue itself ends the wait). */
  seen(idleMs: number): void {
    const wait = this.watchedWait;
    if (!wait) return;
    const now = this.o.clock();
    const shown = Math.min(wait.own, now + idleMs);
    // A finger kept on the sensor is read every poll: a new view only once the end moves by a second.
    if (this.ends !== null && Math.abs(shown - this.ends) < 1000) return;
    this.ends = shown;
    this.update({});
  }

  /** Within the current try, so its "try n of m" stays: the face challenge's movement. */
  prompt(guidance: GuidanceCode): void {
    if (this.view.phase !== 'active' || stepOf(guidance) !== this.view.step) return;
    this.update({ guidance });
  }

  /** The serial camera's frame, shown in the face step only (the next step's view drops it). */
  still(jpeg: Uint8Array): void {
    if (this.view.step !== 'verify' || this.view.phase !== 'active') return;
    this.update({ still: `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}` });
  }

  touches(listener: () => void): () => void {
    this.events.on('touch', listener);
    return () => {
      this.events.off('touch', listener);
    };
  }

  present(): void {
    if (this.pendingTasks) this.showTasks();
  }

  interrupted(): Promise<CancelReason> {
    if (!this.interrupt) {
      let resolve: (reason: CancelReason) => void = () => undefined;
      const promise = new Promise<CancelReason>((r) => {
        resolve = r;
      });
      this.interrupt = { promise, resolve };
    }
    return this.interrupt.promise;
  }

  tasks(_subject: string, due: readonly TaskSpec[]): Promise<readonly TaskCompletion[]> {
    if (due.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.pendingTasks = { resolve, due };
      this.showTasks();
    });
  }

  private showTasks(): void {
    const due = this.pendingTasks?.due ?? [];
    // Nobody answering means nobody is there: the session is cancelled, never submitted on their behalf.
    this.show(
      {
        phase: 'tasks',
        step: 'tasks',
        guidance: 'tasks',
        tasks: due.map((t) => this.taskView(t)),
        receipt: null,
        countdown: this.o.idleSeconds,
      },
      this.o.idleSeconds * 1000,
      () => this.interrupt?.resolve('absent'),
    );
  }

  private begin(): void {
    if (!this.run) throw new MusterError('not-ready', 'the kiosk is starting; try again in a moment');
    // A second tap on Start while the session runs is the same tap.
    if (this.running) return;
    const run = this.run;
    this.running = true;
    this.resetRequested = false;
    void this.interrupted();
    this.show({ phase: 'active', step: 'identify', guidance: null, tasks: [], receipt: null }, null);
    void run()
      .then((outcome) => this.finish(outcome))
      .catch(() => {
        this.show(
          {
            phase: 'failed',
            step: null,
            guidance: 'devices-down',
            tasks: [],
            receipt: null,
            countdown: this.o.failureSeconds,
          },
          this.o.failureSeconds * 1000,
          () => {
            this.reset();
          },
        );
      })
      .finally(() => {
        this.running = false;
        this.interrupt = undefined;
        if (this.resetRequested) this.reset();
      });
  }

  private async finish(outcome: CheckinOutcome): Promise<void> {
    this.interrupt = undefined;
    this.pendingTasks = undefined;
    const back = (): void => {
      this.reset();
    };
    if (!outcome.ok) {
      const last = outcome.guidance.at(-1) ?? 'see-staff';
      const seconds = last === 'cancelled' || last === 'walked-away' ? this.o.noticeSeconds : this.o.failureSeconds;
      // Whoever is sent to staff gets staff: the call waits on the staff screen with the same reference.
      if (isCallReason(last)) this.o.callStaff?.(outcome.attempt, last);
      this.show(
        {
          phase: 'failed',
          step: null,
          guidance: last,
          tasks: [],
          receipt: null,
          countdown: seconds,
          reference: outcome.attempt,
        },
        seconds * 1000,
        back,
      );
      return;
    }
    const entry = fromBase64(outcome.receipt.proof.entry);
    const { body } = decodeLeaf(entry);
    const checkin = parseCheckin(body.payload);
    const { qrSvg } = await traced('receipt-render', () => renderReceipt(outcome.receipt));
    this.show(
      {
        phase: 'done',
        step: 'receipt',
        guidance: 'receipt',
        tasks: [],
        countdown: this.o.receiptSeconds,
        receipt: {
          subject: checkin.subject,
          centre: checkin.centre,
          kiosk: checkin.kiosk,
          at: body.ts,
          seq: body.seq,
          qrSvg,
          file: JSON.stringify(outcome.receipt),
        },
      },
      this.o.receiptSeconds * 1000,
      back,
    );
  }

  private submitTasks(completions: readonly TaskCompletion[]): void {
    const pending = this.pendingTasks;
    // Answered already (a double tap), or the session ended: nothing to do.
    if (!pending) return;
    const known = new Set(pending.due.map((t) => t.id));
    for (const c of completions)
      if (!known.has(c.task))
        throw new MusterError('bad-message', `params.completions: ${c.task} is not one of today's tasks`);
    this.pendingTasks = undefined;
    this.show(
      { ...this.view, phase: 'active', step: 'saving', guidance: 'recording', tasks: [], countdown: null },
      null,
    );
    pending.resolve(completions);
  }

  private reset(): void {
    // The outcome shows a moment before the session ends (its last entries are still being written).
    this.resetRequested = this.running;
    if (this.running) return;
    this.show(START, null);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Shows a view; `afterMs` (with `then`) is its countdown, null for none. */
  private show(shown: Shown, afterMs: number | null, then?: () => void): void {
    this.stopTimer();
    this.watchedWait = undefined;
    if (afterMs !== null && then) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        then();
      }, afterMs);
      this.timer.unref();
    }
    const view = this.viewOf(afterMs === null ? { ...shown, countdown: null } : shown);
    this.ends = view.countdown === null ? null : view.now + view.countdown * 1000;
    this.publish(view);
  }

  /**
   * The current view with a change within its step, stamped now: the screen counts its countdown from when a view
   * comes, so the seconds are those left to the current end.
   */
  private update(change: Partial<Shown>): void {
    const now = this.o.clock();
    const countdown = this.ends === null ? null : Math.max(0, Math.ceil((this.ends - now) / 1000));
    this.publish(this.viewOf({ ...this.view, ...change, countdown }));
  }

  private publish(view: KioskView): void {
    this.view = view;
    this.events.emit('view', view);
  }

  private viewOf(shown: Shown): KioskView {
    const status = this.currentStatus();
    return {
      try: null,
      countdown: null,
      reference: null,
      still: null,
      ...shown,
      idleSeconds: this.o.idleSeconds,
      kiosk: this.info(status),
      now: this.o.clock(),
    };
  }

  /** The runtime's status; one that cannot be read (the runtime closing) keeps the last one shown. */
  private currentStatus(): KioskStatus {
    try {
      return this.status();
    } catch {
      return { available: this.view.kiosk.available, window: this.view.kiosk.window };
    }
  }

  private info(status: KioskStatus): KioskInfo {
    const centre = this.o.centre ?? CENTRE;
    return {
      language: this.o.language,
      zone: this.o.zone,
      centre,
      window: status.window,
      available: status.available,
      voice: this.o.voice,
    };
  }

  private taskView(task: TaskSpec): TaskView {
    const key = task.kind === 'study' ? task.module : task.kind === 'questionnaire' ? task.questionnaire : task.id;
    const names = this.o.taskNames?.[key] ?? this.o.taskNames?.[task.id];
    const named = names ? { names } : {};
    switch (task.kind) {
      case 'study':
        return { id: task.id, kind: task.kind, module: task.module, ...named };
      case 'service':
        return { id: task.id, kind: task.kind, minutes: task.minutes, ...named };
      case 'questionnaire':
        return { id: task.id, kind: task.kind, questionnaire: task.questionnaire, ...named };
    }
  }
}

function isCallReason(guidance: GuidanceCode): guidance is CallReason {
  return (CALL_REASONS as readonly string[]).includes(guidance);
}
