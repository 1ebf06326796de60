import { createConcurrentSink, createRunner, createSource } from "@grammyjs/runner";
import type { Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import type { InFlight } from "../in-flight";
import type { Transport } from "../transport";
import type { UpdateClaims } from "./update-claims";
import { UpdateLedger } from "./update-ledger";
import { ledgerUpdateSupplier } from "./update-supplier";

export interface PollingOptions {
  bot: Bot;
  inFlight: InFlight;
  claims: UpdateClaims;
  config: Config;
  logger: Logger;
}

/**
 * Long polling with @grammyjs/runner (chats in parallel), fed by a getUpdates loop that
 * confirms an update only once its turn finished. Stopping waits for the turns in flight up to
 * SHUTDOWN_TIMEOUT_MS, then confirms the finished ones: what did not finish is received again
 * by the next process.
 */
export async function startPolling({
  bot,
  inFlight,
  claims,
  config,
  logger,
}: PollingOptions): Promise<Transport> {
  try {
    // getUpdates is refused while a webhook is set (e.g. after running in webhook mode).
    await bot.api.deleteWebhook();
  } catch (error) {
    logger.warn({ err: error }, "deleteWebhook failed; polling anyway");
  }
  const ledger = new UpdateLedger();
  // An update left to another process stays unconfirmed here: if that process dies before
  // answering it, Telegram delivers it again.
  claims.onAbandoned = (updateId) => ledger.abandon(updateId);
  // Another poller's 409 is a process sharing the store (a rolling deploy): keep polling.
  const shared = claims.enabled && config.memory.store.kind !== "memory";
  const source = createSource(ledgerUpdateSupplier(bot, ledger, logger, { shared }));
  const sink = createConcurrentSink<Update, BotError>(
    {
      // Tracked here too, so the shutdown's drain also waits for the ledger to hear of it.
      consume: (update) =>
        inFlight.track(bot.handleUpdate(update).finally(() => ledger.finish(update.update_id))),
    },
    async (error) => {
      try {
        await bot.errorHandler(error);
      } catch (handlerError) {
        logger.error({ err: handlerError }, "the error handler failed");
      }
    },
  );
  const runner = createRunner(source, sink);
  runner.start();
  logger.info({ mode: "polling" }, "bot started");
  const task = runner.task() ?? Promise.resolve();
  let stopping: Promise<void> | undefined;
  return {
    done: task,
    stop() {
      stopping ??= (async () => {
        await runner.stop()?.catch(() => {});
        claims.stop();
        const drained = await inFlight.drain(config.shutdownTimeoutMs);
        if (!drained) {
          await claims.releaseUnfinished();
          const left = ledger.unfinished();
          for (const update of left) {
            logger.warn(
              update,
              "shutdown timed out before this update was answered; it stays unconfirmed, so the next start receives it again",
            );
          }
          logger.warn(
            { unfinished: left.length, shutdown_timeout_ms: config.shutdownTimeoutMs },
            "shutdown timed out; updates after the oldest unfinished one are received again too",
          );
        }
        // Confirm what finished, up to the oldest update that did not.
        const offset = ledger.offset();
        if (offset > 0) {
          await bot.api
            .getUpdates({ offset, limit: 1, timeout: 0 })
            .catch((error) => logger.warn({ err: error }, "could not confirm updates"));
        }
      })();
      return stopping;
    },
  };
}
