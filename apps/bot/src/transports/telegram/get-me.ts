import { type Api, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { redactUrl } from "../../config";

/**
 * The bot's identity (getMe), asked once through the API's transformers: a call without a
 * response is retried 3 times (network-retry.ts), then start-up fails with an error naming the
 * API root, the cause chained. grammY's own `bot.init()` would retry forever.
 */
export async function getMe(api: Api, apiRoot: string): Promise<UserFromGetMe> {
  try {
    return await api.getMe();
  } catch (error) {
    const root = redactUrl(apiRoot);
    const what =
      error instanceof GrammyError && error.error_code === 401
        ? `the Telegram Bot API at ${root} refused BOT_TOKEN (401 Unauthorized)`
        : error instanceof HttpError
          ? `cannot reach the Telegram Bot API at ${root}`
          : `the Telegram Bot API at ${root} failed getMe`;
    throw new Error(what, { cause: error });
  }
}
