// Waits for a condition with a bounded deadline: polls (it never sleeps a fixed time) and fails with a message
// saying what did not happen, never a bare timeout.
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves on the first event that matches. */
export function nextEvent<E>(
  subscribe: (listener: (event: E) => void) => void,
  match: (event: E) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    subscribe((event) => {
      if (match(event)) {
        clearTimeout(timer);
        resolve(event);
      }
    });
  });
}
