// Delivers emulator output in order at given performance.now() times. Zero delay goes out on a microtask; longer
// delays sleep on a timer and then spin on setImmediate for the last couple of milliseconds, because Node's timers
// fire a millisecond or more late and the wire-time benchmarks measure against sub-millisecond budgets.
const SPIN_MS = 3;

export type Schedule = (at: number, fn: () => void) => void;

export function outputSchedule(): Schedule {
  let last = 0;
  let chain: Promise<void> = Promise.resolve();
  return (at, fn) => {
    const due = Math.max(at, last);
    last = due;
    chain = chain.then(() => waitUntil(due)).then(fn);
  };
}

function waitUntil(due: number): Promise<void> {
  const wait = due - performance.now();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const spin = (): void => {
      if (performance.now() >= due) resolve();
      else setImmediate(spin);
    };
    if (wait > SPIN_MS) setTimeout(spin, wait - SPIN_MS);
    else setImmediate(spin);
  });
}
