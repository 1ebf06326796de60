import type { UpdateSupplier } from "@grammyjs/runner";
import { type Bot, GrammyError, HttpError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../logger";
import { ALLOWED_UPDATES } from "./allowed-updates";
import { RateLimitedWarning } from "./rate-limited-warning";
import type { UpdateLedger } from "./update-ledger";

/** Telegram's largest getUpdates page. */
const PAGE = 100;
/** The long poll's wait, in seconds. */
const LONG_POLL_S = 30;
/**
 * The pause between polls while an unfinished update holds the offset back: Telegram answers
 * at once then (it returns that update again), so a long poll cannot wait for new ones. A new
 * message waits for the next poll: `pnpm soak --quick` measured p50 answer latency 252-379 ms
 * at 500 ms and 21-30 ms at 100 ms (outside the pause), for at most 10 getUpdates a second
 * while turns run.
 */
const PINNED_POLL_MS = 100;
/**
 * After a 409 from another process's getUpdates (processes sharing the store), the pause
 * before polling again: 0.5-1 s, so two idle processes take turns instead of ending each
 * other's long poll at once.
 */
const CONFLICT_PAUSE_MS = 500;
/** At most one line about the other poller per this interval (with a count). */
const CONFLICT_LOG_INTERVAL_MS = 60_000;
/** getUpdates failures are retried after 0.1 s, doubling up to this. */
const MAX_RETRY_MS = 30_000;

/**
 * getUpdates for @grammyjs/runner with the offset of {@link UpdateLedger}: an update is
 * confirmed only once its turn finished, never on arrival (the runner's own fetcher confirms
 * each page with the next call). Updates received again are dropped here. If a full page of
 * updates waits behind an unfinished one, that one is confirmed anyway (logged), so the bot
 * keeps receiving. 401 and 409 end polling (a wrong token, another process polling).
 */
export function ledgerUpdateSupplier(
  bot: Bot,
  ledger: UpdateLedger,
  logger: Logger,
  options: { shared: boolean } = { shared: false },
): UpdateSupplier<Update> {
  let retryMs = 0;
  const conflicts = new RateLimitedWarning(
    logger,
    "another process polls with this token (409); both keep polling, and the store's claims answer each update once",
    CONFLICT_LOG_INTERVAL_MS,
  );
  return {
    async supply(batchSize, signal) {
      for (;;) {
        const pinned = ledger.pinned;
        let page: Update[];
        try {
          page = await bot.api.getUpdates(
            {
              offset: ledger.offset(),
              limit: PAGE,
              timeout: pinned ? 0 : LONG_POLL_S,
              allowed_updates: ALLOWED_UPDATES,
            },
            signal,
          );
          retryMs = 0;
        } catch (error) {
          if (signal.aborted) throw error;
          if (options.shared && isPollingConflict(error)) {
            // Telegram ends the older of two getUpdates with 409: two processes take turns.
            conflicts.hit({});
            await sleep(CONFLICT_PAUSE_MS + Math.random() * CONFLICT_PAUSE_MS, signal);
            continue;
          }
          if (error instanceof GrammyError && [401, 409].includes(error.error_code)) throw error;
          retryMs = Math.min(Math.max(retryMs * 2, 100), MAX_RETRY_MS);
          // A failure with no response is logged by network-retry.ts already.
          if (!(error instanceof HttpError)) {
            logger.warn({ err: error, retry_in_ms: retryMs }, "getUpdates failed; retrying");
          }
          await sleep(retryMs, signal);
          continue;
        }
        const fresh = ledger.take(page, Math.max(1, batchSize));
        if (fresh.length > 0) return fresh;
        if (page.length >= PAGE) {
          const released = ledger.releaseOldest();
          logger.warn(
            { ...released, waiting: page.length },
            "a full page of updates waits behind an unfinished turn; its update is confirmed now and is lost if this process stops before it finishes",
          );
          continue;
        }
        if (pinned) await sleep(PINNED_POLL_MS, signal);
      }
    },
  };
}

/** Telegram's 409 for a getUpdates ended by a newer one (not the webhook-is-set 409). */
function isPollingConflict(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 409 &&
    /terminated by other getUpdates/i.test(error.description)
  );
}

/** The runner's signal (the abort-controller polyfill, typed apart from the DOM's). */
interface Abortable {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

function sleep(ms: number, signal: Abortable): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(new Error("polling stopped"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort);
  });
}
