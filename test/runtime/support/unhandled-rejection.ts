// Child process for test/runtime/process-faults.test.ts: a rejection nobody handles, then proof of life.
import { reportUnhandledRejections } from '../../../runtime/process-faults.ts';

reportUnhandledRejections();
void Promise.reject(Object.assign(new Error('store read failed'), { code: 'store-io' }));
setTimeout(() => {
  process.stdout.write('still running\n');
}, 50);
