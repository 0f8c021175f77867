// The retention job the kiosk and HQ runtimes start: every `everyMs` it erases the people whose supervision
// ended longer ago than the retention period. Runs never overlap; a failed run is reported and retried at the
// next tick (queued erasure entries are written then). Tests call runOnce with their own clock.
import type { PersonalDataStore } from './personal-data-store.ts';
import { componentLogger } from '../runtime/logger.ts';

export interface ErasureJob {
  /** One pass at `now` (default: the job's clock); resolves to the subjects erased. */
  runOnce(now?: number): Promise<string[]>;
  stop(): void;
}

export interface ErasureJobOptions {
  readonly everyMs: number;
  readonly clock?: () => number;
  readonly onErased?: (subjects: readonly string[]) => void;
  readonly onError?: (error: unknown) => void;
}

export function startErasureJob(store: PersonalDataStore, options: ErasureJobOptions): ErasureJob {
  if (!Number.isSafeInteger(options.everyMs) || options.everyMs <= 0)
    throw new TypeError(`everyMs: expected a positive integer, got ${options.everyMs}`);
  const clock = options.clock ?? Date.now;
  let running: Promise<string[]> | undefined;
  const runOnce = (now = clock()): Promise<string[]> => {
    running ??= store.eraseDue(now).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().then(
      (erased) => {
        if (erased.length > 0) options.onErased?.(erased);
      },
      (error: unknown) => {
        if (options.onError) options.onError(error);
        else componentLogger('erasure-job').error({ err: error }, 'erasure run failed (tried again next period)');
      },
    );
  }, options.everyMs);
  timer.unref();
  return {
    runOnce,
    stop: () => {
      clearInterval(timer);
    },
  };
}
