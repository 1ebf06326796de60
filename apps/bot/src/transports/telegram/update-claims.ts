import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  type ClaimResult,
  type ClaimStore,
  isClaimStore,
  type SessionStore,
} from "@agents-memory/core";
import type { Logger } from "../../logger";

/** How long an answered update stays marked done: Telegram redelivers for up to a day. */
export const DONE_KEEP_MS = 24 * 60 * 60 * 1000;
/** Claim attempts before the update is answered unclaimed (each within the store's budget). */
const CLAIM_ATTEMPTS = 3;
/** The pause between two claim attempts. */
const CLAIM_RETRY_MS = 100;
/** How often an update another process holds is checked again, at most. */
const HELD_RECHECK_MS = 1_000;

export interface UpdateClaimsOptions {
  store: SessionStore;
  /** The bot's id: update ids are per bot, so two bots may share a store. */
  botId: number;
  /** The history keys' prefix (`STORE_KEY_PREFIX`); claims are `<prefix>:update:<bot>:<id>`. */
  keyPrefix: string;
  /** A claim's lease in ms, renewed every third of it while the turn runs. */
  leaseMs: number;
  /** Budget of one store call, in ms. */
  timeoutMs: number;
  logger: Logger;
}

/** What became of an update given to {@link UpdateClaims.once}. */
export type ClaimedTurn =
  /** Answered here (claimed, or unclaimed because the store failed). */
  | "answered"
  /** Another process answered it. */
  | "done-elsewhere"
  /** Another process holds it and this one stopped waiting (shutting down): not finished. */
  | "abandoned";

/**
 * Each update answered once across every process sharing the store: before its turn runs, a
 * process claims the update in the store (a lease, renewed while the turn runs); once the
 * answer is out the claim is marked done for a day. An update another process holds is waited
 * for: done there, it is skipped; when that process dies its lease runs out and this one takes
 * the update over. A store that fails (down, too slow) does not stop the bot: the update is
 * answered unclaimed, so it is answered rather than lost, at the risk of a second answer.
 */
export class UpdateClaims {
  readonly #options: UpdateClaimsOptions;
  readonly #store: (SessionStore & ClaimStore) | undefined;
  /** This process, as a claim's holder: host, pid and a random part (pids repeat in containers). */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  /** Claims held now: update id -> key. */
  readonly #held = new Map<number, string>();
  #stopping = false;
  readonly #wakeWaiters = new Set<() => void>();
  /** Updates this process is waiting for (another process holds them). */
  readonly #waiting = new Set<number>();
  /** Told of each update given up as "abandoned" (polling keeps it unconfirmed). */
  onAbandoned: ((updateId: number) => void) | undefined;

  constructor(options: UpdateClaimsOptions) {
    this.#options = options;
    this.#store = isClaimStore(options.store) ? options.store : undefined;
  }

  /** True while this process waits for `updateId`, which another process holds. */
  isWaiting(updateId: number): boolean {
    return this.#waiting.has(updateId);
  }

  /** False when the store cannot hold claims: each process then answers what it receives. */
  get enabled(): boolean {
    return this.#store !== undefined;
  }

  /**
   * Runs `turn` for `updateId` unless another process answered it or holds it; see the class.
   * `turn` calls `answerOut` once the user can see its answer (or apology): the claim is marked
   * done then, before the history write, so a process that dies writing it is not taken over
   * (that would send a second answer); otherwise it is marked done when `turn` settles.
   */
  async once(
    updateId: number,
    turn: (answerOut: () => void) => Promise<void>,
  ): Promise<ClaimedTurn> {
    const store = this.#store;
    if (!store) {
      await turn(() => {});
      return "answered";
    }
    const key = `${this.#options.keyPrefix}:update:${this.#options.botId}:${updateId}`;
    const log = this.#options.logger.child({ update_id: updateId });
    let waitingFor: string | undefined;
    for (;;) {
      const state = await this.#claim(store, key, log);
      if (!(state instanceof Error) && state.state === "held") this.#waiting.add(updateId);
      else this.#waiting.delete(updateId);
      if (state instanceof Error) {
        log.warn(
          { err: state, attempts: CLAIM_ATTEMPTS },
          "could not claim the update in the store; answering it anyway (another process sharing the store may answer it too)",
        );
        await turn(() => {});
        return "answered";
      }
      if (state.state === "done") {
        log.info(
          waitingFor ? { holder: waitingFor } : {},
          "update already answered by another process; not answered again",
        );
        return "done-elsewhere";
      }
      if (state.state === "claimed") break;
      if (waitingFor === undefined) {
        log.info(
          { holder: state.holder },
          "another process is answering this update; waiting for it to finish (taken over if its claim runs out)",
        );
      }
      waitingFor = state.holder;
      if (!(await this.#pause(Math.min(HELD_RECHECK_MS, this.#options.leaseMs / 3)))) {
        this.#waiting.delete(updateId);
        log.warn(
          { holder: waitingFor },
          "stopping while another process answers this update; left to that process",
        );
        this.onAbandoned?.(updateId);
        return "abandoned";
      }
    }
    if (waitingFor !== undefined) {
      log.warn(
        { holder: waitingFor },
        "the process answering this update stopped renewing its claim; answering it here",
      );
    }
    this.#held.set(updateId, key);
    const renewal = setInterval(() => this.#renew(store, key, log), this.#options.leaseMs / 3);
    let finished: Promise<void> | undefined;
    const finish = () => {
      clearInterval(renewal);
      this.#held.delete(updateId);
      finished ??= this.#finish(store, key, log);
      return finished;
    };
    try {
      await turn(() => void finish());
    } finally {
      clearInterval(renewal);
    }
    await finish();
    return "answered";
  }

  /** Stops waiting for updates other processes hold (shutdown): each is given up as "abandoned". */
  stop(): void {
    this.#stopping = true;
    for (const wake of [...this.#wakeWaiters]) wake();
  }

  /** Frees the claims of turns still running (called when shutdown gave up waiting for them). */
  async releaseUnfinished(): Promise<void> {
    const store = this.#store;
    if (!store) return;
    await Promise.all(
      [...this.#held].map(async ([updateId, key]) => {
        try {
          await store.releaseClaim(key, {
            holder: this.holder,
            deadline: Date.now() + this.#options.timeoutMs,
          });
        } catch (error) {
          this.#options.logger.warn(
            { update_id: updateId, err: error },
            "could not free the claim of an unfinished update; another process takes it over once its lease runs out",
          );
        }
      }),
    );
  }

  /**
   * One claim, tried up to CLAIM_ATTEMPTS times: a claim that timed out may have landed, and
   * claiming again as the same holder is harmless (it finds its own claim), so a store slow
   * for a moment does not make the update go unclaimed. The last failure is returned.
   */
  async #claim(store: ClaimStore, key: string, log: Logger): Promise<ClaimResult | Error> {
    let failure: Error | undefined;
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      try {
        return await store.claim(key, {
          holder: this.holder,
          leaseMs: this.#options.leaseMs,
          deadline: Date.now() + this.#options.timeoutMs,
        });
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        log.debug({ err: error, attempt }, "claiming the update failed");
        if (attempt < CLAIM_ATTEMPTS)
          await new Promise((resolve) => setTimeout(resolve, CLAIM_RETRY_MS));
      }
    }
    return failure!;
  }

  async #renew(store: ClaimStore, key: string, log: Logger): Promise<void> {
    try {
      const renewed = await store.renewClaim(key, {
        holder: this.holder,
        leaseMs: this.#options.leaseMs,
        deadline: Date.now() + this.#options.timeoutMs,
      });
      if (!renewed) {
        log.warn(
          { lease_ms: this.#options.leaseMs },
          "this process's claim on the update ran out before its turn finished; another process may answer it too",
        );
      }
    } catch (error) {
      log.warn(
        { err: error },
        "could not renew the claim on the update; retrying at the next renewal",
      );
    }
  }

  /** Marks the claim done, tried up to CLAIM_ATTEMPTS times (finishing twice is harmless). */
  async #finish(store: ClaimStore, key: string, log: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const wasMine = await store.finishClaim(key, {
          holder: this.holder,
          keepMs: DONE_KEEP_MS,
          deadline: Date.now() + this.#options.timeoutMs,
        });
        if (!wasMine) {
          log.warn(
            "the update was answered after this process's claim had run out; it may have been answered twice",
          );
        }
        return;
      } catch (error) {
        if (attempt < CLAIM_ATTEMPTS) {
          log.debug({ err: error, attempt }, "marking the update answered failed");
          await new Promise((resolve) => setTimeout(resolve, CLAIM_RETRY_MS));
          continue;
        }
        log.warn(
          { err: error, attempts: CLAIM_ATTEMPTS },
          "could not mark the update answered in the store; a process still holding a redelivery of it answers it again once this claim runs out",
        );
        return;
      }
    }
  }

  /** Resolves true after `ms`, false at once when stopping. */
  #pause(ms: number): Promise<boolean> {
    if (this.#stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakeWaiters.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.#wakeWaiters.delete(wake);
        resolve(true);
      }, ms);
      this.#wakeWaiters.add(wake);
    });
  }
}
