const STORE_ERROR_MARKER = Symbol.for("agents-memory.store-error");

/**
 * A store operation failed: the backend errored, was unreachable, or took longer than allowed.
 * Carries the operation, the key and the original error as `cause`; never a secret.
 */
export class StoreError extends Error {
  /** Marks a `StoreError` across duplicate installs; see {@link StoreError.isInstance}. */
  readonly [STORE_ERROR_MARKER] = true;
  /** The operation that failed: `"read"`, `"replace"`, `"append"`, `"fork"`, `"pop"`, `"clear"`. */
  readonly operation: string;
  /** The key it was called on (for `fork`, the parent key), when there was one. */
  readonly key: string | undefined;

  constructor(
    message: string,
    options: { operation: string; key?: string | undefined; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = "StoreError";
    this.operation = options.operation;
    this.key = options.key;
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

/** The operation did not settle within its budget. */
export class StoreTimeoutError extends StoreError {
  /** The budget that ran out, in milliseconds. */
  readonly timeoutMs: number;
  constructor(options: { operation: string; key?: string | undefined; timeoutMs: number }) {
    super(
      `[agents-memory] ${options.operation}${options.key ? ` ${options.key}` : ""} timed out after ${options.timeoutMs} ms`,
      options,
    );
    this.name = "StoreTimeoutError";
    this.timeoutMs = options.timeoutMs;
  }
}
