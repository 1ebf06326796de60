import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { type BotProcess, type LogLine, spawnBot } from "./bot-process";

/** The bot's environment for the local Telegram Bot API and OpenAI Responses API servers. */
export function serverEnv(tg: TelegramServer, ai: ResponsesServer): Record<string, string> {
  return {
    BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    OPENAI_API_KEY: ai.apiKey,
    OPENAI_BASE_URL: ai.baseURL,
  };
}

/**
 * Spawns the bot against the local servers, with `env` added, and waits for its ready log
 * line ("bot started" unless `ready` says otherwise) for up to `timeoutMs` (default 10 000).
 */
export async function startBot(
  tg: TelegramServer,
  ai: ResponsesServer,
  env: Record<string, string> = {},
  options: { ready?: (line: LogLine) => boolean; timeoutMs?: number } = {},
): Promise<BotProcess> {
  const bot = spawnBot({ ...serverEnv(tg, ai), ...env });
  try {
    await bot.waitForLog(
      options.ready ?? ((line) => line.msg === "bot started"),
      options.timeoutMs,
    );
  } catch (error) {
    // The caller never gets the process, so its teardown could not stop it.
    await bot.stop();
    throw error;
  }
  return bot;
}
