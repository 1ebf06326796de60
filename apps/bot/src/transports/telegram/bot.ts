import type { SessionStore } from "@agents-memory/core";
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
import { UpdateClaims } from "./update-claims";
import { startWebhook } from "./webhook";

export interface TelegramTransportOptions {
  config: Config;
  logger: Logger;
  createCallback(identity: BotIdentity): AgentCallback;
  /** What `/healthz` on the webhook server reports. */
  health: HealthSource;
  /** The store the turns' histories go to; updates are claimed there too (see UpdateClaims). */
  store: SessionStore;
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
  const claims = new UpdateClaims({
    store: options.store,
    botId: me.id,
    keyPrefix: config.memory.keyPrefix,
    leaseMs: config.updateLeaseMs,
    timeoutMs: config.memory.timeoutMs,
    logger,
  });
  logClaims(config, claims, logger);

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
  bot.on("message", async (ctx) => {
    const updateId = ctx.update.update_id;
    const message = toChatMessage(ctx.message);
    const topicId = ctx.message.is_topic_message ? ctx.message.message_thread_id : undefined;
    // Telegram takes drafts in private chats only; groups get the whole answer at once.
    const drafts = config.bot.streamAnswers && ctx.message.chat.type === "private";
    const answer = (answerOut?: () => void) =>
      callback.handle(message, telegramChannel(ctx.api, topicId, { drafts }), {
        updateId,
        answerOut,
      });
    // An ignored message sends nothing, so it needs no claim (and costs no store call).
    if (callback.decide(message).action === "ignore") return answer();
    await claims.once(updateId, answer);
  });
  bot.catch((error) => {
    logger.error(
      { update_id: error.ctx?.update.update_id, err: error.error },
      "unhandled error while handling an update",
    );
  });

  return config.telegram.mode === "webhook"
    ? startWebhook({ bot, inFlight, claims, config, logger, health: options.health })
    : startPolling({ bot, inFlight, claims, config, logger });
}

/** One start-up line on what keeps an update from being answered twice. */
function logClaims(config: Config, claims: UpdateClaims, logger: Logger): void {
  if (config.memory.store.kind === "memory") {
    logger.info(
      "STORE_URL=memory:// lives in this process: updates are claimed here only, so run one bot process per token (share a redis:// or upstash:// store to run several)",
    );
  } else if (claims.enabled) {
    logger.info(
      { holder: claims.holder, lease_ms: config.updateLeaseMs },
      "each update is claimed in the store before it is answered, so processes sharing the store answer it once",
    );
  } else {
    logger.warn("the store cannot hold claims: processes sharing it may answer an update twice");
  }
}
