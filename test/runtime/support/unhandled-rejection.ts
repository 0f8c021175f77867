// Child process for test/runtime/process-faults.test.ts: a rejection nobody handles, then proof of life.
import { reportUnhandledRejections } from '../../../runtime/process-faults.ts';

reportUnhandledRejections((error) => {
  process.stdout.write(`reported: ${error instanceof Error ? error.message : String(error)}\n`);
});
void Promise.reject(new Error('store read failed'));
setTimeout(() => {
  process.stdout.write('still running\n');
}, 50);
