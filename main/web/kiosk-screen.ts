// The kiosk screen's backend, and the check-in workflow's ScreenPort: the workflow's guidance and task
// requests become a KioskView pushed to the screen; the screen's Start, task answers, Cancel and Reset come
// back as API calls (a person who skips the tasks submits none: the check-in itself still counts). The view only ever holds the person of the running session and is cleared on reset, on
// the next Start, and (should the screen die) a while after the outcome.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EventMessage } from '../../core/api/api.ts';
import { type KioskView, type TaskView, stepOf } from '../../core/api/kiosk-api.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { fromBase64 } from '../../core/bytes.ts';
import { MusterError } from '../../core/errors.ts';
import { parseCheckin, type TaskCompletion } from '../../core/records/checkin.ts';
import type { TaskSpec } from '../../core/records/plan.ts';
import type { CheckinOutcome } from '../kiosk/checkin-workflow.ts';
import type { ScreenPort } from '../kiosk/ports.ts';
import { renderReceipt } from '../kiosk/receipt.ts';
import type { ApiBackend, Handlers } from './api-service.ts';

export interface KioskScreenOptions {
  /** Seconds without a touch before the screen returns to the start (the renderer's timer). Default 60. */
  readonly idleSeconds?: number;
  /** Main's own reset after an outcome, and its answer to unanswered tasks, in case the screen is gone. Default: twice idleSeconds. */
  readonly clearAfterMs?: number;
}

const IDLE: Omit<KioskView, 'idleSeconds'> = { phase: 'idle', step: null, guidance: null, tasks: [], receipt: null };

export class KioskScreen implements ScreenPort, ApiBackend {
  private view: KioskView;
  private readonly events = new EventEmitter<{ view: [KioskView]; capture: [string] }>();
  private readonly frames = new Map<string, (frame: Uint8Array) => void>();
  private run: (() => Promise<CheckinOutcome>) | undefined;
  private running = false;
  private resetRequested = false;
  private pendingTasks: { readonly resolve: (c: readonly TaskCompletion[]) => void; readonly due: readonly TaskSpec[] } | undefined;
  private clearTimer: NodeJS.Timeout | undefined;
  private readonly idleSeconds: number;
  private readonly clearAfterMs: number;

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
    'kiosk.frame': ({ id, jpeg }) => {
      const waiting = this.frames.get(id);
      if (!waiting) throw new MusterError('not-asked', `no frame ${id} is waiting (answered already, or timed out)`);
      const bytes = Buffer.from(jpeg, 'base64');
      if (bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes.at(-2) !== 0xff || bytes.at(-1) !== 0xd9) throw new MusterError('bad-message', 'params.jpeg: not a whole JPEG');
      waiting(new Uint8Array(bytes));
      return {};
    },
  };

  constructor(options: KioskScreenOptions = {}) {
    this.idleSeconds = options.idleSeconds ?? 60;
    this.clearAfterMs = options.clearAfterMs ?? this.idleSeconds * 2000;
    this.view = { ...IDLE, idleSeconds: this.idleSeconds };
  }

  /** Connects the Start button to the check-in (the kiosk runtime passes `() => workflow.run()`). */
  attach(run: () => Promise<CheckinOutcome>): void {
    this.run = run;
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
        reject(new MusterError('camera.timeout', `the kiosk screen sent no webcam frame within ${timeoutMs} ms`));
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

  /**
   * A session that ran without this screen's Start button (the demo's scripted visits) ended: its outcome shows,
   * then the screen goes back to the start after the usual pause, as after its own sessions.
   */
  async played(outcome: CheckinOutcome): Promise<void> {
    if (this.running) return;
    await this.finish(outcome);
    this.clear();
    this.clearTimer = setTimeout(() => {
      this.reset();
    }, this.clearAfterMs);
    this.clearTimer.unref();
  }

  // ScreenPort
  guide(guidance: GuidanceCode): void {
    // A new session (from Start or from elsewhere) keeps the previous one's reset from blanking it.
    if (!this.pendingTasks) this.clear();
    const step = stepOf(guidance);
    this.show({ phase: step === null ? 'failed' : 'active', step: step ?? this.view.step, guidance, tasks: [], receipt: null });
  }

  tasks(_subject: string, due: readonly TaskSpec[]): Promise<readonly TaskCompletion[]> {
    if (due.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.pendingTasks = { resolve, due };
      this.show({ phase: 'tasks', step: 'tasks', guidance: 'tasks', tasks: due.map(taskView), receipt: null });
      // Should the screen be gone, the check-in is still recorded (with no task marked done).
      this.clearTimer = setTimeout(() => {
        if (this.pendingTasks?.resolve === resolve) this.submitTasks([]);
      }, this.clearAfterMs);
      this.clearTimer.unref();
    });
  }

  private begin(): void {
    if (!this.run) throw new MusterError('not-ready', 'the kiosk is starting; try again in a moment');
    if (this.running) throw new MusterError('busy', 'a check-in is already running');
    const run = this.run;
    this.running = true;
    this.clear();
    this.show({ phase: 'active', step: 'identify', guidance: null, tasks: [], receipt: null });
    void run()
      .then((outcome) => this.finish(outcome))
      .catch(() => {
        this.show({ phase: 'failed', step: null, guidance: 'devices-down', tasks: [], receipt: null });
      })
      .finally(() => {
        this.running = false;
        this.pendingTasks = undefined;
        if (this.resetRequested) {
          this.reset();
          return;
        }
        this.clearTimer = setTimeout(() => {
          this.reset();
        }, this.clearAfterMs);
        this.clearTimer.unref();
      });
  }

  private async finish(outcome: CheckinOutcome): Promise<void> {
    if (!outcome.ok) {
      const last = outcome.guidance.at(-1) ?? 'see-staff';
      this.show({ phase: 'failed', step: null, guidance: last, tasks: [], receipt: null });
      return;
    }
    const entry = fromBase64(outcome.receipt.proof.entry);
    const { body } = decodeLeaf(entry);
    const checkin = parseCheckin(body.payload);
    const { qrSvg } = await renderReceipt(outcome.receipt);
    this.show({
      phase: 'done',
      step: 'receipt',
      guidance: 'receipt',
      tasks: [],
      receipt: { subject: checkin.subject, centre: checkin.centre, kiosk: checkin.kiosk, at: body.ts, seq: body.seq, qrSvg, file: JSON.stringify(outcome.receipt) },
    });
  }

  private submitTasks(completions: readonly TaskCompletion[]): void {
    const pending = this.pendingTasks;
    if (!pending) throw new MusterError('not-asked', 'no tasks are waiting for an answer');
    const known = new Set(pending.due.map((t) => t.id));
    for (const c of completions) if (!known.has(c.task)) throw new MusterError('bad-message', `params.completions: ${c.task} is not one of today's tasks`);
    this.pendingTasks = undefined;
    this.clear();
    this.show({ ...this.view, phase: 'active', step: 'saving', guidance: 'recording', tasks: [] });
    pending.resolve(completions);
  }

  private reset(): void {
    // The outcome shows a moment before the session ends (its last entries are still being written).
    this.resetRequested = this.running;
    if (this.running) return;
    this.clear();
    this.show({ ...IDLE });
  }

  private clear(): void {
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = undefined;
  }

  private show(view: Omit<KioskView, 'idleSeconds'>): void {
    this.view = { ...view, idleSeconds: this.idleSeconds };
    this.events.emit('view', this.view);
  }
}

function taskView(task: TaskSpec): TaskView {
  switch (task.kind) {
    case 'study':
      return { id: task.id, kind: task.kind, module: task.module };
    case 'service':
      return { id: task.id, kind: task.kind, minutes: task.minutes };
    case 'questionnaire':
      return { id: task.id, kind: task.kind, questionnaire: task.questionnaire };
  }
}
