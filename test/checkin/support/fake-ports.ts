// In-process fakes for the workflow's ports: each device answers from a script; an Error in the script is a
// device fault (the port throws).
import type {
  BadgeResult,
  DeviceAvailability,
  FaceResult,
  FingerResult,
  StaffAnswer,
} from '../../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../../core/checkin/guidance.ts';
import type { TaskCompletion } from '../../../core/records/checkin.ts';
import type { TaskSpec } from '../../../core/records/plan.ts';
import type { CheckinPorts, LogPort } from '../../../main/kiosk/ports.ts';

type Scripted<T> = (T | Error)[];

export interface Script {
  finger?: Scripted<FingerResult>;
  badge?: Scripted<BadgeResult>;
  face?: Scripted<FaceResult>;
  staff?: StaffAnswer[];
  devices?: DeviceAvailability;
  due?: readonly TaskSpec[];
  done?: readonly TaskCompletion[];
}

export interface Fakes {
  readonly ports: CheckinPorts;
  readonly shown: GuidanceCode[];
  readonly tasksShown: (readonly TaskSpec[])[];
}

function next<T>(script: Scripted<T> | undefined, what: string): Promise<T> {
  const item = script?.shift();
  if (item === undefined) return Promise.reject(new Error(`${what}: script ran out`));
  return item instanceof Error ? Promise.reject(item) : Promise.resolve(item);
}

export function fakePorts(log: LogPort, script: Script): Fakes {
  const shown: GuidanceCode[] = [];
  const tasksShown: (readonly TaskSpec[])[] = [];
  const ports: CheckinPorts = {
    fingerprint: {
      identify: () => next(script.finger, 'fingerprint'),
      verify: () => next(script.finger, 'fingerprint'),
    },
    badge: { read: () => next(script.badge, 'badge') },
    face: { verify: () => next(script.face, 'face') },
    staff: { confirm: () => Promise.resolve(script.staff?.shift() ?? { kind: 'timeout' }) },
    screen: {
      guide: (g) => shown.push(g),
      tasks: (_subject, due) => {
        tasksShown.push(due);
        return Promise.resolve(script.done ?? []);
      },
    },
    devices: { availability: () => script.devices ?? { fingerprint: true, camera: true, badge: true } },
    plans: { dueToday: () => script.due ?? [] },
    log,
  };
  return { ports, shown, tasksShown };
}
