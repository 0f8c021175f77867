// The screen of a demo kiosk. While a scripted person stands at the kiosk, they answer it: they tap their badge
// when asked and mark today's tasks as done; what the kiosk tells them still goes to the kiosk screen in the
// browser, so a viewer watches the check-in happen. Between scripted visits the browser screen has the kiosk to
// itself (its Start button runs a check-in with whatever lies on the emulated devices).
import type { CancelReason } from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { TaskCompletion } from '../../core/records/checkin.ts';
import type { TaskSpec } from '../../core/records/plan.ts';
import type { CheckinOutcome } from '../kiosk/checkin-workflow.ts';
import type { ScreenPort } from '../kiosk/ports.ts';
import type { KioskScreen } from '../web/kiosk-screen.ts';

export interface ScriptedPerson {
  /** Reacts to what the kiosk says (tap the badge when asked). */
  onGuide(guidance: GuidanceCode): void;
  answers(due: readonly TaskSpec[]): readonly TaskCompletion[];
}

export class DemoScreen implements ScreenPort {
  private person: ScriptedPerson | undefined;
  /** What the kiosk said during the current scripted visit. */
  readonly said: GuidanceCode[] = [];

  constructor(private readonly display?: KioskScreen) {}

  /** The scripted visit ended: the browser screen shows its outcome, then goes back to the start. */
  async ended(outcome: CheckinOutcome): Promise<void> {
    await this.display?.played(outcome);
  }

  /** The scripted person standing at the kiosk, or undefined when they leave. */
  stand(person: ScriptedPerson | undefined): void {
    this.person = person;
    this.said.length = 0;
  }

  guide(guidance: GuidanceCode, tryNumber?: number): void {
    this.said.push(guidance);
    this.display?.guide(guidance, tryNumber);
    this.person?.onGuide(guidance);
  }

  prompt(guidance: GuidanceCode): void {
    this.said.push(guidance);
    this.display?.prompt(guidance);
  }

  waiting(ms: number | undefined, idleMs?: number): void {
    if (!this.person) this.display?.waiting(ms, idleMs);
  }

  seen(idleMs: number): void {
    if (!this.person) this.display?.seen(idleMs);
  }

  present(): void {
    if (!this.person) this.display?.present();
  }

  /** The browser screen's touches keep its session's waits (a scripted person never touches it). */
  touches(listener: () => void): () => void {
    return this.display?.touches(listener) ?? (() => undefined);
  }

  /** A session from the browser's Start button ends early from there; a scripted person never cancels. */
  interrupted(): Promise<CancelReason> {
    return this.person || !this.display ? new Promise(() => undefined) : this.display.interrupted();
  }

  tasks(subject: string, due: readonly TaskSpec[]): Promise<readonly TaskCompletion[]> {
    if (this.person) return Promise.resolve(this.person.answers(due));
    return this.display ? this.display.tasks(subject, due) : Promise.resolve([]);
  }
}
