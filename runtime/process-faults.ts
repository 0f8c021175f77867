// A long-running Muster process (HQ, a kiosk) must not die of one promise nobody awaited (a failed store read in
// a timer): Node's default ends the process on an unhandled rejection. Installed once at the entry point, this
// logs it as an error with its code and keeps running; the code that lost track of the promise is the bug to fix.
import { componentLogger, type Logger } from './logger.ts';

export function reportUnhandledRejections(logger: Logger = componentLogger('process')): void {
  process.on('unhandledRejection', (reason) => {
    const code = reason instanceof Error ? ((reason as { code?: unknown }).code ?? reason.name) : typeof reason;
    logger.error({ err: reason, code }, 'unhandled rejection');
  });
}
