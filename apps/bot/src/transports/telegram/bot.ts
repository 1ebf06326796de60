import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { AgentCallback, BotIdentity } from "../../agent-callback";
import type { Config } from "../../config";
import type { HealthSource } from "../../health/healthz";
import type { Logger } from "../../logger";
import { InFlight } from "../in-flight";
import type { Transport } from "../transport";
import { telegramChannel } from "./channel";
import { toChatMessage } from "./chat-message";
import { exceptDrafts } from "./draft-retries";
import { getMe } from "./get-me";
import { logMigration } from "./group-migration";
import { malformedUpdate } from "./malformed-update";
import { retryNetworkErrors } from "./network-retry";
import { startPolling } from "./polling";
import { startWebhook } from "./webhook";

export interface TelegramTransportOptions {
  config: Config;
  logger: Logger;
  createCallback(identity: BotIdentity): AgentCallback;
  /** What `/healthz` on the webhook server reports. */
  health: HealthSource;
}

/**
 * The bot on Telegram: grammY with auto-retry (429s wait `retry_after`; drafts excepted), chats
 * handled in parallel and each chat in order, by long polling (@grammyjs/runner) or a webhook.
 */
export async function startTelegram(options: TelegramTransportOptions): Promise<Transport> {
  const { config, logger } = options;
  const bot = new Bot(config.telegram.token!, { client: { apiRoot: config.telegram.apiRoot } });
  bot.api.config.use(
    exceptDrafts(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 300, rethrowHttpErrors: true })),
    exceptDrafts(retryNetworkErrors(logger)),
  );
  const me = await getMe(bot.api, config.telegram.apiRoot);
  bot.botInfo = me;
  const identity: BotIdentity = { id: me.id, username: me.username, firstName: me.first_name };
  logger.info({ bot_id: me.id, username: me.username }, "connected to Telegram");
  const callback = options.createCallback(identity);

  const inFlight = new InFlight();
  bot.use((ctx, next) => {
    const problem = malformedUpdate(ctx.update);
    if (problem === undefined) return next();
    logger.warn({ update_id: ctx.update.update_id, problem }, "malformed update ignored");
  });
  bot.use((ctx, next) => {
    return inFlight.track(next(), { update_id: ctx.update.update_id, chat_id: ctx.chat?.id });
  });
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.on("message:migrate_to_chat_id", (ctx) =>
    logMigration(logger, config, ctx.chat.id, ctx.message.migrate_to_chat_id),
  );
  bot.on("message", (ctx) => {
    const message = ctx.message;
    const topicId = message.is_topic_message ? message.message_thread_id : undefined;
    // Telegram takes drafts in private chats only; groups get the whole answer at once.
    const drafts = config.bot.streamAnswers && message.chat.type === "private";
    return callback.handle(toChatMessage(message), telegramChannel(ctx.api, topicId, { drafts }), {
      updateId: ctx.update.update_id,
    });
  });
  bot.catch((error) => {
    logger.error(
      { update_id: error.ctx?.update.update_id, err: error.error },
      "unhandled error while handling an update",
    );
  });

  return config.telegram.mode === "webhook"
    ? startWebhook({ bot, inFlight, config, logger, health: options.health })
    : startPolling({ bot, inFlight, config, logger });
}
