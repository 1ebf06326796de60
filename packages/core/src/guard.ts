import { StoreError, StoreTimeoutError } from "./errors";
import { describeCause, type MemoryLogger } from "./logger";

/** Default budget for one store call made by a session, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 250;

/** One failed store call made by a session, as passed to {@link OnStoreError}. */
export interface StoreFailure {
  /** The store operation: `"read"`, `"replace"`, `"append"`, `"fork"`, `"pop"` or `"clear"`. */
  operation: string;
  /** The key the session called it on (for a fork, the first child key). */
  key: string;
  /** What failed, with the backend's error as `cause` ({@link StoreTimeoutError} for a timeout). */
  error: StoreError;
}

/**
 * The app's hook for store failures (metrics, alerts), called after the failure is logged. It
 * is called synchronously; what it throws is logged and never rethrown into the run.
 */
export type OnStoreError = (failure: StoreFailure) => void;

/**
 * Runs one store call within `timeoutMs`. A call that does not settle in time rejects with
 * {@link StoreTimeoutError}; its late result is ignored (the network stores bound their own
 * commands too, so a late write is not left queued).
 */
export async function withTimeout<T>(
  operation: string,
  key: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreTimeoutError({ operation, key, timeoutMs })),
      timeoutMs,
    );
  });
  try {
    const call = Promise.resolve().then(run);
    call.catch(() => {}); // a late rejection after the timeout is not unhandled
    return await Promise.race([call, timeout]);
  } catch (error) {
    if (StoreError.isInstance(error)) throw error;
    throw new StoreError(`[agents-memory] ${operation} ${key} failed: ${describeCause(error)}`, {
      operation,
      key,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

export function assertTimeoutMs(timeoutMs: unknown): asserts timeoutMs is number {
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(
      `[agents-memory] timeoutMs must be a positive number, got ${String(timeoutMs)}`,
    );
  }
}

/** Reports a failure to the logger and the app's callback; a throwing callback is logged, not rethrown. */
export function reportStoreFailure(
  failure: StoreFailure,
  logger: MemoryLogger,
  onStoreError: OnStoreError | undefined,
): void {
  logger.error(
    { operation: failure.operation, key: failure.key, cause: describeCause(failure.error) },
    "store call failed; the run goes on without it",
  );
  if (!onStoreError) return;
  try {
    onStoreError(failure);
  } catch (callbackError) {
    logger.error({ cause: describeCause(callbackError) }, "onStoreError callback threw");
  }
}
