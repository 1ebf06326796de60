import type { SessionStore } from "@agents-memory/core";

/** What the probe found. */
export interface StoreProbe {
  reachable: boolean;
  /** How long the probe took, in ms. */
  ms: number;
  /** Why it is not reachable (no secrets: the error's message). */
  error?: string;
}

/**
 * A cheap reachability probe: one read of a key no history uses (`<prefix>:healthz`, missing,
 * so it reads as empty), bounded by `timeoutMs`. Probes asked for while one is running share
 * it, so a burst of health checks costs the store one call. Not the store's start-up
 * `check()`: that writes, forks and deletes scratch keys, too much for every health check.
 */
export function storeProbe(
  store: SessionStore,
  keyPrefix: string,
  timeoutMs: number,
): () => Promise<StoreProbe> {
  const key = `${keyPrefix}:healthz`;
  let running: Promise<StoreProbe> | undefined;
  const probe = async (): Promise<StoreProbe> => {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs} ms (STORE_TIMEOUT_MS)`)),
        timeoutMs,
      );
    });
    try {
      const read = store.read(key, 1);
      read.catch(() => {}); // a late failure after the timeout is not unhandled
      await Promise.race([read, timedOut]);
      return { reachable: true, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        reachable: false,
        ms: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    running ??= probe().finally(() => {
      running = undefined;
    });
    return running;
  };
}
