// `task` entries: a task done away from the kiosk (service minutes signed off by a supervisor, a study module
// finished online), for a named local day.
import { asFields, day, id, onlyKeys } from './fields.ts';
import { type TaskCompletion, parseCompletion } from './checkin.ts';

export interface TaskRecord {
  readonly subject: string;
  readonly day: number;
  readonly completion: TaskCompletion;
  readonly staff: string;
}

export function parseTaskRecord(payload: unknown): TaskRecord {
  const p = asFields(payload, 'task');
  onlyKeys(p, 'task', ['subject', 'day', 'completion', 'staff']);
  return {
    subject: id(p, 'subject', 'task'),
    day: day(p, 'day', 'task'),
    completion: parseCompletion(p.completion, 'task.completion'),
    staff: id(p, 'staff', 'task'),
  };
}
