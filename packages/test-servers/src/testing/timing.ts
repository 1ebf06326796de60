/** Milliseconds a promise took to settle, and how it settled. */
export async function timed<T>(
  run: () => Promise<T>,
): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await run();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

/**
 * Calls `probe` every 25 ms until it resolves (a server is back and the client reconnected);
 * after `timeoutMs` (default 10 000) rethrows its last error.
 */
export async function until<T>(probe: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
