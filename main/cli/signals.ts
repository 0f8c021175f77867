// Long-running commands (kiosk, hq, demo) stop cleanly on SIGINT or SIGTERM: one place that waits for either.

/** Resolves with the signal's name on the first SIGINT or SIGTERM, then stops listening. */
export function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
