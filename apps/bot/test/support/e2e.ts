import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll } from "vitest";
import { type BotProcess, type LogLine, spawnBot } from "./bot-process";
import { type StoreBackend, type StoreKind, startStore } from "./stores";

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

/** What a describe's bot tests run against. */
export interface BotWorld {
  tg: TelegramServer;
  ai: ResponsesServer;
  store: StoreBackend;
  bot: BotProcess;
}

/**
 * Registers the describe's beforeAll and afterAll: the local Telegram and Responses API servers
 * and a `kind` store, then the bot on them with the store's environment and `env(store)`
 * (which may also note what it chose, e.g. a port), handed to `ready` once it started; all
 * stopped after the describe's tests.
 */
export function useBotWorld(
  kind: StoreKind,
  env: (store: StoreBackend) => Record<string, string> | Promise<Record<string, string>>,
  ready: (world: BotWorld) => void,
): void {
  let world: Partial<BotWorld> = {};
  beforeAll(async () => {
    const [tg, ai, store] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startStore(kind),
    ]);
    world = { tg, ai, store };
    world.bot = await startBot(tg, ai, { ...store.env, ...(await env(store)) });
    ready(world as BotWorld);
  });
  afterAll(async () => {
    await world.bot?.stop();
    await Promise.all([world.tg?.close(), world.ai?.close(), world.store?.stop()]);
  });
}
