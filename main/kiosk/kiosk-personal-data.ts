// The kiosk's personal data: names, ID numbers and photos in the personal-data store (reads go through the access
// policy and leave an `access` entry), the enrolment table whose face templates are sealed under each person's
// data key, and the retention job that erases people whose supervision and retention period ended.
import { join } from 'node:path';
import type { Logger } from '../../runtime/logger.ts';
import { type ErasureJob, startErasureJob } from '../../access/erasure-job.ts';
import { PersonalDataStore, type RecordLog } from '../../access/personal-data-store.ts';
import { EnrolmentStore } from './enrolment-store.ts';
import type { KioskConfig } from './kiosk-config.ts';
import type { KioskKeys } from './kiosk-keys.ts';

export interface KioskPersonalData {
  readonly personal: PersonalDataStore;
  readonly enrolments: EnrolmentStore;
}

/** Opens both stores; `log` takes their `access` and `erasure` entries. */
export function openPersonalData(
  config: KioskConfig,
  keys: KioskKeys,
  log: RecordLog,
  clock: () => number,
): KioskPersonalData {
  const personal = PersonalDataStore.open(join(config.dataDir, 'personal-data.db'), {
    centreKey: keys.centreKey,
    log,
    clock,
  });
  const enrolments = EnrolmentStore.open(config.dataDir, (subject) => personal.dataKey(subject), keys.badgeKey);
  return { personal, enrolments };
}

/** The retention job over the personal-data store, every `everyMs` (default 1 hour). */
export function startRetention(
  personal: PersonalDataStore,
  options: { readonly everyMs?: number | undefined; readonly clock: () => number; readonly logger: Logger },
): ErasureJob {
  return startErasureJob(personal, {
    everyMs: options.everyMs ?? 3_600_000,
    clock: options.clock,
    onErased: (subjects) => {
      options.logger.info({ people: subjects.length }, 'erased personal data whose retention ended');
    },
    onError: (error) => {
      options.logger.error({ err: error }, 'erasure job failed (tried again next period)');
    },
  });
}
