const STORE_ERROR_MARKER = Symbol.for("agents-memory.store-error");

/**
 * What became of the operation that failed:
 * - `"failed"`: nothing was changed (a read, a call refused or never sent, an error reply);
 * - `"unknown"`: a write was sent and no answer came in time. It may have been applied before
 *   its deadline; the Redis stores' servers refuse it after (see the write fence), so it never
 *   lands later.
 */
export type StoreOutcome = "failed" | "unknown";

/**
 * A store operation failed: the backend errored, was unreachable, or took longer than allowed.
 * Carries the operation, the key, the {@link StoreOutcome} and the original error as `cause`;
 * never a secret.
 */
export class StoreError extends Error {
  /** Marks a `StoreError` across duplicate installs; see {@link StoreError.isInstance}. */
  readonly [STORE_ERROR_MARKER] = true;
  /** The operation that failed: `"read"`, `"replace"`, `"append"`, `"fork"`, `"pop"`, `"clear"`. */
  readonly operation: string;
  /** The key it was called on (for `fork`, the parent key), when there was one. */
  readonly key: string | undefined;
  /** Whether the write may have been applied all the same. Default `"failed"`. */
  readonly outcome: StoreOutcome;

  constructor(
    message: string,
    options: {
      operation: string;
      key?: string | undefined;
      cause?: unknown;
      outcome?: StoreOutcome;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = "StoreError";
    this.operation = options.operation;
    this.key = options.key;
    this.outcome = options.outcome ?? "failed";
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(value: unknown): value is StoreError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[STORE_ERROR_MARKER] === true
    );
  }
}

/**
 * The operation did not settle within its budget. For a write, `outcome` is `"unknown"` unless
 * the caller knows it was never sent.
 */
export class StoreTimeoutError extends StoreError {
  /** The budget that ran out, in milliseconds. */
  readonly timeoutMs: number;
  constructor(options: {
    operation: string;
    key?: string | undefined;
    timeoutMs: number;
    outcome?: StoreOutcome;
  }) {
    super(
      `[agents-memory] ${options.operation}${options.key ? ` ${options.key}` : ""} timed out after ${options.timeoutMs} ms`,
      options,
    );
    this.name = "StoreTimeoutError";
    this.timeoutMs = options.timeoutMs;
  }
}
