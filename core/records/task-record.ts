// `task` entries: a task done away from the kiosk (service minutes signed off by a supervisor, a study module
// finished online), for a named local day.
import { TASK_COMPLETION } from './checkin.ts';
import { DAY, ID, type Parsed, map, recordParser } from './record-schema.ts';

const TASK_RECORD = map({ subject: ID, day: DAY, completion: TASK_COMPLETION, staff: ID });

export type TaskRecord = Parsed<typeof TASK_RECORD>;

export const parseTaskRecord: (payload: unknown) => TaskRecord = recordParser(TASK_RECORD, 'task');
