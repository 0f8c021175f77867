// A long-running Muster process (HQ, a kiosk) must not die of one promise nobody awaited (a failed store read in
// a timer): Node's default ends the process on an unhandled rejection. Installed once at the entry point, this
// logs it as an error with its code and keeps running; the code that lost track of the promise is the bug to fix.
import { errorMessage } from '../core/errors.ts';
import type { Logger } from './logger.ts';

/**
 * Without a `logger`, the process's own is loaded at the first rejection: a command that meets none (`muster
 * --help`) loads neither the logging nor the validation library its settings are read with.
 */
export function reportUnhandledRejections(logger?: Logger): void {
  const log = async (): Promise<Logger> => logger ?? (await import('./logger.ts')).componentLogger('process');
  process.on('unhandledRejection', (reason) => {
    const code = reason instanceof Error ? ((reason as { code?: unknown }).code ?? reason.name) : typeof reason;
    log().then(
      (l) => {
        l.error({ err: reason, code }, 'unhandled rejection');
      },
      // No logger to be had (its settings are bad): the one place left to say both.
      (error: unknown) =>
        process.stderr.write(
          `muster: unhandled rejection (${errorMessage(reason)}); no logger: ${errorMessage(error)}\n`,
        ),
    );
  });
}
