/** Waiting on conditions with a deadline: integration tests never sleep for a fixed time. */

/**
 * Resolves once `check` (which may be async) returns a value other than undefined/false; rejects
 * after `timeoutMs`.
 */
export async function waitUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets pending promise callbacks and I/O callbacks run (not a sleep: no timer involved). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Rejects with a clear message if `promise` does not settle within `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 8_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
