import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { autoRetry } from "@grammyjs/auto-retry";
import { type RunnerHandle, run, sequentialize } from "@grammyjs/runner";
import { type Api, Bot, HttpError, type Transformer } from "grammy";
import type { Message, Update } from "grammy/types";
import type { AgentCallback, BotIdentity } from "../agent-callback";
import type { Config } from "../config";
import { errorFields, type Logger } from "../logger";
import type { ChatMessage, ChatUser } from "../message-text";
import type { Channel } from "../send-reply";
import { InFlight } from "./in-flight";
import type { Transport } from "./transport";

const ALLOWED_UPDATES = ["message"] as const;
/** How many recent webhook update ids are remembered to drop redeliveries. */
const SEEN_UPDATES = 10_000;
const MAX_BODY_BYTES = 1_000_000;
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
          { method, attempt: attempt + 1, retry_in_ms: delay, err: errorFields(error) },
          delay === undefined ? "Telegram request failed" : "Telegram request failed; retrying",
        );
        if (delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
}

export interface TelegramTransportOptions {
  config: Config;
  logger: Logger;
  createCallback(identity: BotIdentity): AgentCallback;
}

/** A grammY message as the transport-independent shape. */
export function toChatMessage(message: Message, depth = 0): ChatMessage {
  const sender: ChatUser | undefined = message.sender_chat
    ? { id: message.sender_chat.id, isBot: false, firstName: chatTitle(message.sender_chat) }
    : message.from
      ? {
          id: message.from.id,
          isBot: message.from.is_bot,
          firstName: message.from.first_name,
          username: message.from.username,
        }
      : undefined;
  return {
    messageId: message.message_id,
    chatId: message.chat.id,
    from: sender,
    text: message.text ?? message.caption,
    entities: message.entities ?? message.caption_entities,
    replyTo:
      depth === 0 && message.reply_to_message
        ? toChatMessage(message.reply_to_message as Message, 1)
        : undefined,
  };
}

function chatTitle(chat: { title?: string; first_name?: string }): string {
  return chat.title ?? chat.first_name ?? "Unknown";
}

/**
 * Where the bot answers, through `api`. `topicId` is the forum topic the message came from: the
 * answer, an apology and "typing…" go there too (without it, Telegram shows "typing…" in General,
 * and a reply whose message was deleted lands in General).
 */
export function telegramChannel(api: Api, topicId?: number): Channel {
  const topic = topicId === undefined ? {} : { message_thread_id: topicId };
  return {
    async sendMessage(chatId, text, options) {
      const sent = await api.sendMessage(chatId, text, {
        ...topic,
        ...(options.parseMode ? { parse_mode: options.parseMode } : {}),
        ...(options.replyToMessageId
          ? {
              reply_parameters: {
                message_id: options.replyToMessageId,
                allow_sending_without_reply: true,
              },
            }
          : {}),
      });
      return sent.message_id;
    },
    async sendTyping(chatId) {
      await api.sendChatAction(chatId, "typing", topic);
    },
  };
}

/**
 * The bot on Telegram: grammY with auto-retry (429s wait `retry_after`), chats handled in
 * parallel and each chat in order, by long polling (@grammyjs/runner) or a webhook.
 */
export async function startTelegram(options: TelegramTransportOptions): Promise<Transport> {
  const { config, logger } = options;
  const bot = new Bot(config.telegram.token!, { client: { apiRoot: config.telegram.apiRoot } });
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 300, rethrowHttpErrors: true }),
    retryNetworkErrors(logger),
  );
  await bot.init();
  const me = bot.botInfo;
  const identity: BotIdentity = { id: me.id, username: me.username, firstName: me.first_name };
  logger.info({ bot_id: me.id, username: me.username }, "connected to Telegram");
  const callback = options.createCallback(identity);

  const inFlight = new InFlight();
  let lastUpdateId = 0;
  bot.use((ctx, next) => {
    lastUpdateId = Math.max(lastUpdateId, ctx.update.update_id);
    return inFlight.track(next());
  });
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.on("message:migrate_to_chat_id", (ctx) =>
    logMigration(logger, config, ctx.chat.id, ctx.message.migrate_to_chat_id),
  );
  bot.on("message", (ctx) => {
    const message = ctx.message;
    const topicId = message.is_topic_message ? message.message_thread_id : undefined;
    return callback.handle(toChatMessage(message), telegramChannel(ctx.api, topicId), {
      updateId: ctx.update.update_id,
    });
  });
  bot.catch((error) => {
    logger.error(
      { update_id: error.ctx?.update.update_id, err: errorFields(error.error) },
      "unhandled error while handling an update",
    );
  });

  return config.telegram.mode === "webhook"
    ? startWebhook(bot, inFlight, options)
    : startPolling(bot, inFlight, options, () => lastUpdateId);
}

/**
 * A group upgraded to a supergroup gets a new chat id, and the allowlist goes by chat id: one
 * naming only the old id would silently shut the bot out, so that case is a warning that says
 * what to add.
 */
function logMigration(logger: Logger, config: Config, fromChatId: number, toChatId: number): void {
  const whitelist = config.bot.whitelist;
  const fields = { chat_id: fromChatId, new_chat_id: toChatId };
  if (whitelist.includes(fromChatId) && !whitelist.includes(toChatId)) {
    logger.warn(
      fields,
      `a whitelisted group became a supergroup with a new chat id; add ${toChatId} to BOT_WHITELIST or the bot ignores it`,
    );
  } else {
    logger.info(fields, "a group became a supergroup with a new chat id");
  }
}

async function startPolling(
  bot: Bot,
  inFlight: InFlight,
  { config, logger }: TelegramTransportOptions,
  lastUpdateId: () => number,
): Promise<Transport> {
  try {
    // getUpdates is refused while a webhook is set (e.g. after running in webhook mode).
    await bot.api.deleteWebhook();
  } catch (error) {
    logger.warn({ err: errorFields(error) }, "deleteWebhook failed; polling anyway");
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
            .catch((error) =>
              logger.warn({ err: errorFields(error) }, "could not confirm updates"),
            );
        }
      })();
      return stopping;
    },
  };
}

async function startWebhook(
  bot: Bot,
  inFlight: InFlight,
  { config, logger }: TelegramTransportOptions,
): Promise<Transport> {
  const { secret, host, port, path, url } = config.telegram.webhook;
  const expected = Buffer.from(secret!);
  const seen = new Set<number>();
  let stopping = false;

  const secretMatches = (header: string | string[] | undefined) => {
    if (typeof header !== "string") return false;
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const remember = (updateId: number) => {
    seen.add(updateId);
    if (seen.size > SEEN_UPDATES) seen.delete(seen.values().next().value!);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === "/healthz" && req.method === "GET") {
      res.writeHead(stopping ? 503 : 200).end(stopping ? "stopping" : "ok");
      return;
    }
    if (pathname !== path) return void res.writeHead(404).end();
    if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
    if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"])) {
      logger.warn({ remote: req.socket.remoteAddress }, "webhook call with a wrong secret token");
      return void res.writeHead(401).end();
    }
    // While stopping, refuse: Telegram delivers the update again later.
    if (stopping) return void res.writeHead(503).end();
    let update: Update;
    try {
      update = JSON.parse(await readBody(req)) as Update;
    } catch (error) {
      const tooLarge = (error as Error).message === "too large";
      return void res.writeHead(tooLarge ? 413 : 400).end();
    }
    if (!update || typeof update.update_id !== "number") return void res.writeHead(400).end();
    // Acknowledge at once; the turn runs in the background.
    res.writeHead(200).end();
    if (seen.has(update.update_id)) {
      logger.info({ update_id: update.update_id }, "redelivered update ignored");
      return;
    }
    remember(update.update_id);
    inFlight.track(
      bot.handleUpdate(update).catch((error) => {
        logger.error(
          { update_id: update.update_id, err: errorFields(error) },
          "update handling failed",
        );
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((error) => {
      logger.error({ err: errorFields(error) }, "webhook request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  logger.info({ mode: "webhook", host, port: boundPort, path }, "bot started");
  if (url) {
    await bot.api.setWebhook(url, {
      secret_token: secret,
      allowed_updates: ALLOWED_UPDATES,
    });
    logger.info("webhook registered with Telegram");
  }

  let done: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  let stopped: Promise<void> | undefined;
  return {
    done: finished,
    port: boundPort,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const drained = await inFlight.drain(config.shutdownTimeoutMs);
        if (!drained) logger.warn({ in_flight: inFlight.size }, "shutdown timed out; turns lost");
        server.closeAllConnections();
        await closed;
        done();
      })();
      return stopped;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
