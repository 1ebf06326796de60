import {
  CallReach,
  type MemoryLogger,
  RequestNotSentError,
  StoreError,
  storeCallError,
} from "@agents-memory/core";
import { classify, conciseReason, ENV_TOKEN, type Requester, reachOf, syncHeaders } from "./client";

export interface BudgetSettings {
  requester: Requester;
  /** Budget for one operation, in ms, shared by every request it makes. */
  timeoutMs: number;
  /** Retries of an idempotent operation's request that got no response at all. */
  retries: number;
  /** First retry delay, in ms, doubling after each. */
  retryDelayMs: number;
  logger: MemoryLogger;
  /** The host, for the one-time bad-token report. */
  host: string | undefined;
}

/** Sends one command (one HTTP request) and resolves with its result. */
export type Send = (command: (string | number)[]) => Promise<unknown>;

/**
 * Sends a store operation's requests within its budget, and turns what went wrong into a
 * `StoreError` that says so without quoting the items (or the token).
 *
 * - Every request carries its own abort signal for what is left of the budget, so the client
 *   stops (retries included) when it runs out; the operation settles then even if the client
 *   does not.
 * - A request that got no response (refused, reset) is retried only for an idempotent
 *   operation and only when the budget has room for the wait. A response (401, 400, 500) and a
 *   timeout are never retried.
 * - A rejected token is logged once, clearly, until a call succeeds again.
 */
export class Budget {
  readonly #settings: BudgetSettings;
  #authRejected = false;

  constructor(settings: BudgetSettings) {
    this.#settings = settings;
  }

  async run<T>(
    operation: string,
    key: string,
    idempotent: boolean,
    work: (send: Send) => Promise<T>,
  ): Promise<T> {
    const { timeoutMs } = this.#settings;
    const deadline = performance.now() + timeoutMs;
    const requests = new CallReach();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reach = requests.reach;
        reject(storeCallError({ store: STORE, operation, key, reach, timeoutMs }));
      }, timeoutMs);
    });
    try {
      const running = work((command) => this.#send(command, deadline, idempotent, requests));
      running.catch(() => {}); // a late failure after the budget is not unhandled
      return await Promise.race([running, expired]);
    } catch (error) {
      throw this.#storeError(operation, key, error, requests);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One command, one HTTP request (more only for a retry of an idempotent call). */
  async #send(
    command: (string | number)[],
    deadline: number,
    idempotent: boolean,
    requests: CallReach,
  ) {
    const { requester, retries, retryDelayMs } = this.#settings;
    for (let attempt = 0; ; attempt++) {
      const remaining = Math.ceil(deadline - performance.now());
      if (remaining <= 0) throw new BudgetSpent();
      try {
        const response = await requests.track(
          () =>
            requester.request({
              body: command,
              headers: syncHeaders(requester),
              signal: () => AbortSignal.timeout(remaining),
            }),
          reachOf,
        );
        if (response.error) {
          throw Object.assign(new Error(response.error), { name: "UpstashError" });
        }
        this.#authRejected = false;
        return response.result;
      } catch (thrown) {
        const error = replyOnly(thrown);
        const wait = retryDelayMs * 2 ** attempt;
        const retry =
          idempotent &&
          attempt < retries &&
          classify(error) === "network" &&
          deadline - performance.now() > wait;
        if (!retry) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  #storeError(operation: string, key: string, error: unknown, requests: CallReach): StoreError {
    if (StoreError.isInstance(error)) return error;
    const failure = classify(error);
    const call = { store: STORE, operation, key, reach: requests.reach };
    if (failure === "timeout" || error instanceof BudgetSpent) {
      // An abort or the store's own refusal: neither quotes the command.
      return storeCallError({ ...call, cause: error, timeoutMs: this.#settings.timeoutMs });
    }
    const reason = conciseReason(error);
    if (failure === "auth") this.#reportAuthOnce(reason);
    const what =
      failure === "auth"
        ? `Upstash rejected the token (${reason})`
        : failure === "network"
          ? `Upstash is unreachable (${reason})`
          : reason;
    // The cause is the client's error minus the command it quotes (the items themselves) and
    // any credentials in a URL it quotes; the original is not chained, it holds both.
    const cause = new Error(reason);
    cause.name = error instanceof Error ? error.name : "Error";
    return storeCallError({ ...call, cause, reason: what });
  }

  /** A wrong token fails every call the same way: say so clearly once, until a call succeeds. */
  #reportAuthOnce(reason: string): void {
    if (this.#authRejected) return;
    this.#authRejected = true;
    this.#settings.logger.error(
      { store: "upstash", host: this.#settings.host, reason },
      `Upstash rejected the token: every store call fails (not retried) until it is fixed; check ${ENV_TOKEN} or the token given to the client`,
    );
  }
}

/**
 * The client's error for an error reply, with only the server's words: the client appends the
 * command (`…, command was: [...]`), and a script sent whole quotes its Lua source there, whose
 * text (`CONFLICT …`, `NOSCRIPT`) must not be read as the reply.
 */
function replyOnly(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== "UpstashError") return error;
  return Object.assign(new Error(conciseReason(error)), { name: "UpstashError" });
}

const STORE = "upstash";

/** The budget ran out before a request was sent (a retry's turn, a fork's second trip). */
class BudgetSpent extends RequestNotSentError {
  constructor() {
    super("the budget ran out before the request was sent");
  }
}
