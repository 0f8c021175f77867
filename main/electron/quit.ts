// Electron quits as soon as every 'before-quit' listener has returned, so an async close started there is cut
// off mid-way: the last appends may not be committed, devices not released, the SQLite files not closed. The quit
// is held (preventDefault) until close has finished, then the app exits; a second quit while closing waits too.
export interface QuittingApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  exit(code?: number): void;
}

/** On quit, runs `close` to its end, then exits (1 when close failed, after `onError` has seen why). */
export function holdQuitUntilClosed(
  app: QuittingApp,
  close: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  let closing: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    event.preventDefault();
    closing ??= close().then(
      () => {
        app.exit(0);
      },
      (error: unknown) => {
        onError(error);
        app.exit(1);
      },
    );
  });
}
