import { HttpError, type Transformer } from "grammy";
import type { Logger } from "../../logger";

/** Waits before each retry of a Bot API call that got no response at all. */
const NETWORK_RETRY_DELAYS_MS = [500, 1000, 2000];

/**
 * A Bot API call that got no response (refused, reset, DNS) is retried a few times, each
 * failure logged, then fails: a turn ends with the failure logged instead of waiting.
 * (auto-retry retries these forever, with backoff up to an hour, logging nothing.) getUpdates
 * is only logged: the polling runner retries it with its own backoff.
 */
export function retryNetworkErrors(
  logger: Logger,
  delaysMs: readonly number[] = NETWORK_RETRY_DELAYS_MS,
): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (error) {
        if (!(error instanceof HttpError) || signal?.aborted) throw error;
        const delay = method === "getUpdates" ? undefined : delaysMs[attempt];
        logger.warn(
          { method, attempt: attempt + 1, retry_in_ms: delay, err: error },
          delay === undefined ? "Telegram request failed" : "Telegram request failed; retrying",
        );
        if (delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
}
