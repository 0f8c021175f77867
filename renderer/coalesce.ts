// Live updates arrive in bursts (a kiosk catching up sends many entries): at most one refresh runs, and one
// more follows it if anything arrived meanwhile.
export function coalesce(run: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false;
  let again = false;
  const go = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    run()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          go();
        }
      });
  };
  return go;
}
