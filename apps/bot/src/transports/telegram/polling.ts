import { type RunnerHandle, run } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import type { InFlight } from "../in-flight";
import type { Transport } from "../transport";
import { ALLOWED_UPDATES } from "./allowed-updates";

export interface PollingOptions {
  bot: Bot;
  inFlight: InFlight;
  config: Config;
  logger: Logger;
  /** The highest update id handed to the bot so far. */
  lastUpdateId(): number;
}

/**
 * Long polling with @grammyjs/runner. Stopping waits for the turns in flight, then confirms
 * the handled updates with one getUpdates call.
 */
export async function startPolling({
  bot,
  inFlight,
  config,
  logger,
  lastUpdateId,
}: PollingOptions): Promise<Transport> {
  try {
    // getUpdates is refused while a webhook is set (e.g. after running in webhook mode).
    await bot.api.deleteWebhook();
  } catch (error) {
    logger.warn({ err: error }, "deleteWebhook failed; polling anyway");
  }
  const handle: RunnerHandle = run(bot, {
    // silent: a failed getUpdates is logged (scrubbed) by retryNetworkErrors, not printed raw.
    runner: { fetch: { allowed_updates: ALLOWED_UPDATES, timeout: 30 }, silent: true },
  });
  logger.info({ mode: "polling" }, "bot started");
  const task = handle.task() ?? Promise.resolve();
  let stopping: Promise<void> | undefined;
  return {
    done: task,
    stop() {
      stopping ??= (async () => {
        await handle.stop().catch(() => {});
        const drained = await inFlight.drain(config.shutdownTimeoutMs);
        if (!drained) logger.warn({ in_flight: inFlight.size }, "shutdown timed out; turns lost");
        // Confirm what was handled, so a restart does not receive those updates again.
        const last = lastUpdateId();
        if (last > 0) {
          await bot.api
            .getUpdates({ offset: last + 1, limit: 1, timeout: 0 })
            .catch((error) => logger.warn({ err: error }, "could not confirm updates"));
        }
      })();
      return stopping;
    },
  };
}
