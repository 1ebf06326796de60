import {
  hasMarker,
  MAY_HAVE_APPLIED,
  StoreError,
  type StoreOutcome,
  StoreTimeoutError,
} from "./errors";

/*
 * The failure rule, in one place: whether a store call that failed changed nothing
 * (`"failed"`) or may have been applied (`"unknown"`). A store says only how far its request
 * got ({@link RequestReach}); the rule decides the rest:
 * - a request not sent: failed;
 * - a read: failed, however far it got (a read changes nothing);
 * - an answer that is an error: failed (the server refused it);
 * - a write sent and not answered (a timeout, a connection lost with it in flight): unknown.
 *   The Redis stores' write fence makes the server refuse it after its deadline, so it never
 *   lands later;
 * - a write that changed some of its keys and failed on others ({@link PartlyAppliedError}):
 *   unknown, whatever its requests got.
 */

/**
 * How far a failed request got, as only the store can tell:
 * - `"not-sent"`: it never left this process (no connection, the store closed, the deadline
 *   already passed, a connection refused);
 * - `"answered"`: the server answered it with an error;
 * - `"unanswered"`: it was sent and no answer came (a timeout, a connection lost with it in
 *   flight), or the store cannot tell.
 */
export type RequestReach = "not-sent" | "answered" | "unanswered";

/** The operations that change nothing: they fail as `"failed"`, however far they got. */
const READS: ReadonlySet<string> = new Set(["read", "readUsage"]);

/**
 * The rule: a write sent and not answered, or partly applied (`cause` a
 * {@link PartlyAppliedError}), is `"unknown"`; every other failure `"failed"`.
 */
export function outcomeOf(operation: string, reach: RequestReach, cause?: unknown): StoreOutcome {
  if (READS.has(operation)) return "failed";
  return reach === "unanswered" || PartlyAppliedError.isInstance(cause) ? "unknown" : "failed";
}

/**
 * How far one store call's requests got, for {@link FailedCall.reach}. A store sends each
 * request through {@link CallReach.track} and, when the call fails, reads {@link CallReach.reach}:
 * - `"unanswered"` while a request is out, or once one got no answer (a retry after it does
 *   not undo that: the first may have been applied);
 * - else `"answered"` once a request reached the server: an error raised after the answers
 *   (by the store's own code, e.g. a legacy value that kept changing) changed nothing more;
 * - else `"not-sent"`.
 */
export class CallReach {
  #pending = 0;
  #sent = false;
  #unanswered = false;

  /**
   * Makes one request, noting how far it got; `reachOf` tells that of its failure (the client's
   * knowledge: a refused connection sent nothing, an error reply was an answer, a timeout none).
   * Resolves or rejects as the request does.
   */
  async track<T>(request: () => Promise<T>, reachOf: (error: unknown) => RequestReach): Promise<T> {
    this.#pending++;
    try {
      const result = await request();
      this.#sent = true;
      return result;
    } catch (error) {
      const reach = reachOf(error);
      if (reach !== "not-sent") this.#sent = true;
      if (reach === "unanswered") this.#unanswered = true;
      throw error;
    } finally {
      this.#pending--;
    }
  }

  /** How far the call's requests got, as of now; see {@link CallReach}. */
  get reach(): RequestReach {
    if (this.#pending > 0 || this.#unanswered) return "unanswered";
    return this.#sent ? "answered" : "not-sent";
  }
}

const NOT_SENT_MARKER = Symbol.for("agents-memory.request-not-sent");

/**
 * A request a store did not send (so it changed nothing): a store throws it (or a subclass)
 * where it refuses a call before sending, and reads it back as `"not-sent"` (see
 * {@link RequestReach}) when the call fails. Recognised by a `Symbol.for` marker, across
 * duplicate installs of this package (and across this package's entry points).
 */
export class RequestNotSentError extends Error {
  /** Marks a `RequestNotSentError` across duplicate installs; see {@link RequestNotSentError.isInstance}. */
  readonly [NOT_SENT_MARKER] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RequestNotSentError";
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(value: unknown): value is RequestNotSentError {
    return hasMarker(value, NOT_SENT_MARKER);
  }
}

const PARTLY_APPLIED_MARKER = Symbol.for("agents-memory.partly-applied");

/**
 * A write made of several requests, some applied and some failed (on a Redis Cluster a fork
 * writes each child key on its own): not "failed", since something changed. `cause` is the
 * first failure. Recognised by a `Symbol.for` marker, like {@link RequestNotSentError}.
 */
export class PartlyAppliedError extends Error {
  /** Marks a `PartlyAppliedError` across duplicate installs. */
  readonly [PARTLY_APPLIED_MARKER] = true;

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = "PartlyAppliedError";
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(value: unknown): value is PartlyAppliedError {
    return hasMarker(value, PARTLY_APPLIED_MARKER);
  }
}

/** A write whose deadline passed before it could be sent: nothing was sent, nothing changed. */
export class DeadlinePassedError extends RequestNotSentError {
  constructor() {
    super("the deadline passed before the write was sent; nothing was sent");
    this.name = "DeadlinePassedError";
  }
}

/** What a store knows of one failed call, for {@link storeCallError}. */
export interface FailedCall {
  /** The store's name in the message (`"ioredis"`), or undefined for a session's own budget. */
  store?: string | undefined;
  /** The store operation (`"read"`, `"append"`, …). */
  operation: string;
  /** The key the call was made on. */
  key: string;
  /**
   * How far the call's requests got: the furthest any of them got when it made several (a
   * retry after a request that got no answer is `"unanswered"`, whatever became of the retry).
   */
  reach: RequestReach;
  /** The error the call failed with (kept as `cause`, so never one quoting items or secrets). */
  cause?: unknown;
  /** What went wrong, in a few words, no secrets; for a timeout, ignored. */
  reason?: string;
  /** Set when the call's budget ran out: the budget, in ms (the error is a `StoreTimeoutError`). */
  timeoutMs?: number | undefined;
}

/**
 * The `StoreError` (a `StoreTimeoutError` when `timeoutMs` is set) for a failed store call,
 * its outcome decided by {@link outcomeOf}; a write that may have been applied says so in the
 * message ("it may have been applied before its deadline, never after").
 */
export function storeCallError(call: FailedCall): StoreError {
  const { store, operation, key, cause, timeoutMs } = call;
  const outcome = outcomeOf(operation, call.reach, cause);
  if (timeoutMs !== undefined) {
    return new StoreTimeoutError({ store, operation, key, timeoutMs, outcome, cause });
  }
  const where = store === undefined ? "" : ` [${store}]`;
  return new StoreError(
    `[agents-memory]${where} ${operation} ${key} failed: ${call.reason ?? "unknown error"}${outcome === "unknown" ? MAY_HAVE_APPLIED : ""}`,
    { operation, key, cause, outcome },
  );
}
