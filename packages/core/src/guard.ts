import { assertNumberOption } from "./describe-value";
import { HistoryConflictError, StoreError, type StoreTimeoutError } from "./errors";
import { storeCallError } from "./failure-rule";
import { describeCause, type MemoryLogger } from "./logger";
import type { SessionStore } from "./store/contract";

/*
 * Default budgets, from round trips measured at a distance, not on loopback. One round trip
 * between continents is ~140 ms (70 ms each way); a cold process pays the TCP and TLS
 * handshakes (2), learning the server's clock (1, a write only) and the call (1). A budget is
 * twice its call's cold round trips at that distance, rounded up; a write nobody waits for
 * (the answer was already sent) gets more. See the core README, "Budgets".
 */

/** Default budget of a `ReplySession`'s read, in ms: 3 cold round trips x 140 ms x 2, rounded up. */
export const DEFAULT_READ_TIMEOUT_MS = 1000;

/**
 * Default budget of a `ReplySession`'s write (`persist`), in ms. It happens after the answer
 * was sent, so nobody waits for it: generous (4 cold round trips x 140 ms x 5), so a cold,
 * distant or busy store still keeps the turn.
 */
export const DEFAULT_WRITE_TIMEOUT_MS = 3000;

/** The read's default budget ({@link DEFAULT_READ_TIMEOUT_MS}), under its earlier name. */
export const DEFAULT_TIMEOUT_MS = DEFAULT_READ_TIMEOUT_MS;

/** One failed store call made by a session, as passed to {@link OnStoreError}. */
export interface StoreFailure {
  /** The store operation, named after the `SessionStore` method: `"read"`, `"append"`, `"fork"`… */
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
 * Runs one store call within `timeoutMs`, giving it the deadline (ms since the epoch) to pass
 * to the store, which must not apply a write after it (see `WriteOptions.deadline`). A call
 * that does not settle in time rejects with {@link StoreTimeoutError}: for a write, outcome
 * `"unknown"` (it may have been applied before the deadline, never after); its late result is
 * ignored.
 */
export async function withTimeout<T>(
  operation: string,
  key: string,
  timeoutMs: number,
  run: (deadline: number) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Timers run before I/O in an event-loop turn: one more turn lets a reply already
      // received settle the call first, so a busy process does not report a write that
      // succeeded as failed.
      setTimeout(
        () => reject(storeCallError({ operation, key, reach: "unanswered", timeoutMs })),
        0,
      );
    }, timeoutMs);
  });
  try {
    const call = Promise.resolve(deadline).then(run);
    call.catch(() => {}); // a late rejection after the timeout is not unhandled
    return await Promise.race([call, timeout]);
  } catch (error) {
    // A refused transaction is an answer, not a store failure: it goes to the caller as it is.
    if (StoreError.isInstance(error) || HistoryConflictError.isInstance(error)) throw error;
    // A store that threw its own error, not a StoreError, answered for itself: "failed".
    throw storeCallError({
      operation,
      key,
      reach: "answered",
      cause: error,
      reason: describeCause(error),
    });
  } finally {
    clearTimeout(timer);
  }
}

export function assertTimeoutMs(
  timeoutMs: unknown,
  name = "timeoutMs",
): asserts timeoutMs is number {
  assertNumberOption(name, timeoutMs);
}

/**
 * Reports a failure to the logger and the app's callback; a throwing callback is logged, not
 * rethrown. `carriesOn`: whether the session goes on without the call (the log line says so) or
 * rejects with the error.
 */
function reportStoreFailure(
  failure: StoreFailure,
  logger: MemoryLogger,
  onStoreError: OnStoreError | undefined,
  carriesOn = true,
): void {
  const { operation, key, error } = failure;
  const noAnswer =
    "store call got no answer in time; the write may have been applied before its deadline, never after";
  logger.error(
    { operation, key, outcome: error.outcome, cause: describeCause(error) },
    error.outcome === "unknown"
      ? `${noAnswer}; ${carriesOn ? "the run goes on" : "the session call rejects"}`
      : `store call failed; ${carriesOn ? "the run goes on without it" : "the session call rejects"}`,
  );
  if (!onStoreError) return;
  try {
    onStoreError(failure);
  } catch (callbackError) {
    logger.error({ cause: describeCause(callbackError) }, "onStoreError callback threw");
  }
}

/** A session's store call is named after the `SessionStore` method it makes. */
export type StoreOperation = Exclude<keyof SessionStore, "connect" | "close">;

/** Where a session reports its store failures. */
export interface FailureReporting {
  logger: MemoryLogger;
  onStoreError: OnStoreError | undefined;
}

/**
 * One store call made by a session, the one guarded path both sessions take: the call runs
 * within `timeoutMs` ({@link withTimeout}); a failure is reported once (the logger, then
 * `onStoreError`) and then resolves with `fallback(error)` when a fallback is given (the session
 * carries on without the call), else rejects with the `StoreError`. A refused transaction
 * (`HistoryConflictError`) is an answer, not a failure: it rejects as it is, unreported.
 */
export async function storeCall<T>(
  operation: StoreOperation,
  key: string,
  timeoutMs: number,
  call: (deadline: number) => Promise<T>,
  reporting: FailureReporting,
  fallback?: (error: StoreError) => T,
): Promise<T> {
  try {
    return await withTimeout(operation, key, timeoutMs, call);
  } catch (error) {
    // withTimeout lets a conflict through as it is and turns every other error into a StoreError.
    if (!StoreError.isInstance(error)) throw error;
    const failure = { operation, key, error };
    reportStoreFailure(failure, reporting.logger, reporting.onStoreError, fallback !== undefined);
    if (fallback) return fallback(error);
    throw error;
  }
}
