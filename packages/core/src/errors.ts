const STORE_ERROR_MARKER = Symbol.for("agents-memory.store-error");

/** True when `value` is an object carrying `marker` (a `Symbol.for` key: works across installs). */
export function hasMarker(value: unknown, marker: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[marker] === true
  );
}

/** How a message says a write's outcome is `"unknown"`. */
export const MAY_HAVE_APPLIED = "; it may have been applied before its deadline, never after";

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
  /**
   * The operation that failed: `"read"`, `"replace"`, `"append"`, `"fork"`, `"pop"`, `"clear"`,
   * `"transact"`, `"replaceFunctionCall"`.
   */
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
    return hasMarker(value, STORE_ERROR_MARKER);
  }
}

/**
 * The operation did not settle within its budget. For a write, `outcome` is `"unknown"` unless
 * the caller knows it was never sent (the message then says it may have been applied).
 */
export class StoreTimeoutError extends StoreError {
  /** The budget that ran out, in milliseconds. */
  readonly timeoutMs: number;
  constructor(options: {
    operation: string;
    key?: string | undefined;
    timeoutMs: number;
    outcome?: StoreOutcome;
    /** The store's name in the message (`"upstash"`), when a store raises it. */
    store?: string | undefined;
    cause?: unknown;
  }) {
    const { store, operation, key, timeoutMs, outcome } = options;
    super(
      `[agents-memory]${store === undefined ? "" : ` [${store}]`} ${operation}${key ? ` ${key}` : ""} timed out after ${timeoutMs} ms${outcome === "unknown" ? MAY_HAVE_APPLIED : ""}`,
      options,
    );
    this.name = "StoreTimeoutError";
    this.timeoutMs = options.timeoutMs;
  }
}

const HISTORY_CONFLICT_MARKER = Symbol.for("agents-memory.history-conflict-error");

/**
 * Why a history transaction was refused (nothing was changed):
 * - `"operation-reused"`: the operation id was already recorded with another transaction;
 * - `"suffix-mismatch"`: the stored history does not end with the transaction's `expectedSuffix`.
 */
export type HistoryConflictReason = "operation-reused" | "suffix-mismatch";

/**
 * A history transaction (`SessionStore.transact`) was refused and changed nothing, as the SDK's
 * `MemorySession.applyHistoryTransaction` refuses it: the operation id was reused for another
 * transaction, or the suffix to replace no longer matches. Not a `StoreError`: the store
 * worked, the history is not what the transaction expects, and retrying will not change that.
 */
export class HistoryConflictError extends Error {
  /** Marks a `HistoryConflictError` across duplicate installs; see {@link HistoryConflictError.isInstance}. */
  readonly [HISTORY_CONFLICT_MARKER] = true;
  /** Why the transaction was refused. */
  readonly reason: HistoryConflictReason;
  /** The store key of the history. */
  readonly key: string;
  /** The transaction's operation id. */
  readonly operationId: string;

  constructor(options: { reason: HistoryConflictReason; key: string; operationId: string }) {
    // The SDK's own wording (MemorySession), then where.
    super(
      `${
        options.reason === "operation-reused"
          ? "Session history operation was already applied with a different transaction."
          : "Session history suffix no longer matches the transaction precondition."
      } (key ${options.key}, operation ${options.operationId}; nothing was changed)`,
    );
    this.name = "HistoryConflictError";
    this.reason = options.reason;
    this.key = options.key;
    this.operationId = options.operationId;
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(value: unknown): value is HistoryConflictError {
    return hasMarker(value, HISTORY_CONFLICT_MARKER);
  }
}

const STORE_SHAPE_MARKER = Symbol.for("agents-memory.store-shape-error");

/**
 * What about a deployment keeps a store from keeping history, found by its start-up check:
 * - `"cluster-mode"`: the server runs in cluster mode and the client is not a Cluster client;
 * - `"credentials"`: the server refused the password, user or token;
 * - `"history"`: a two-turn chain written under a scratch key did not read back whole (a key
 *   prefix the links do not carry, a proxy that rewrites keys, a server that drops scripts'
 *   writes).
 */
export type StoreShapeProblem = "cluster-mode" | "credentials" | "history";

/**
 * A store cannot keep history in this deployment and will not until its configuration
 * changes (see {@link StoreShapeProblem}); the message is one line naming what to change,
 * never a secret. Thrown by a store's `check()` (and by `connect()` where the store can tell).
 */
export class StoreShapeError extends Error {
  /** Marks a `StoreShapeError` across duplicate installs; see {@link StoreShapeError.isInstance}. */
  readonly [STORE_SHAPE_MARKER] = true;
  /** What is wrong. */
  readonly problem: StoreShapeProblem;

  constructor(problem: StoreShapeProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreShapeError";
    this.problem = problem;
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(value: unknown): value is StoreShapeError {
    return hasMarker(value, STORE_SHAPE_MARKER);
  }
}
