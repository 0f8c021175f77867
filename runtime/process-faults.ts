// A long-running Muster process (HQ, a kiosk) must not die of one promise nobody awaited (a failed store read in
// a timer): Node's default ends the process on an unhandled rejection. Installed once at the entry point, this
// reports it with its code and keeps running; the code that lost track of the promise is the bug to fix.

export function reportUnhandledRejections(report: (error: unknown) => void): void {
  process.on('unhandledRejection', (reason) => {
    report(reason);
  });
}
