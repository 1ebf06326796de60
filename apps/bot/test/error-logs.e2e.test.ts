import { freePort } from "@agents-memory/test-servers/free-port";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type BotProcess, type LogLine, spawnBot } from "./support/bot-process";
import { serverEnv } from "./support/e2e";
import { type StoreBackend, startStore } from "./support/stores";
import { ann, repliesTo } from "./support/transcript";

const CHAT = -1004000000001;

/** The `err` chain of a log line, outermost first. */
function chain(line: LogLine): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (let e = line.err as Record<string, any> | undefined; e; e = e.cause) out.push(e);
  return out;
}

/** Every raw line a bot wrote, for checks no parsed field can hide. */
const everything = (bot: BotProcess) => bot.stdout() + bot.stderr();

describe("every error log line carries the error", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  const bots: BotProcess[] = [];

  const start = (env: Record<string, string>) => {
    const bot = spawnBot({
      ...serverEnv(tg, ai),
      BOT_ERROR_TEXT: "sorry",
      ...env,
    });
    bots.push(bot);
    return bot;
  };

  /** Sends `/a text` and waits for the bot's "turn failed" line about it. */
  const failedTurn = async (bot: BotProcess, text: string) => {
    await bot.waitForLog((l) => l.msg === "bot started");
    const message = tg.sendUserMessage({ chatId: CHAT, from: ann, text: `/a ${text}` });
    return bot.waitForLog(
      (l) => l.msg === "turn failed" && l.message_id === message.message_id,
      20_000,
    );
  };

  beforeAll(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) {
      await bot.stop();
      expect(everything(bot)).not.toContain("[object Object]");
    }
  });

  afterAll(async () => {
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("a model 401: type, status, the API's message", async () => {
    const bot = start({ OPENAI_API_KEY: "sk-wrong-key-123" });
    const line = await failedTurn(bot, "hello");
    expect(line.level).toBe(50);
    const [err] = chain(line);
    expect(err).toMatchObject({ type: "AuthenticationError", status: 401 });
    expect(err!.message).toMatch(/^401 /);
    expect(err!.stack).toMatch(/AuthenticationError|Error/);
    expect(everything(bot)).not.toContain("sk-wrong-key-123");
  });

  test("a model 500 (after the client's retries): type, status, message", async () => {
    const bot = start({});
    for (let i = 0; i < 3; i++) ai.script({ error: { status: 500 } });
    const line = await failedTurn(bot, "crash please");
    const [err] = chain(line);
    expect(err).toMatchObject({ type: "InternalServerError", status: 500 });
    expect(err!.message).toMatch(/^500 /);
    expect(ai.pending()).toBe(0);
  });

  test("a refused connection: the client's error, then fetch's, then the socket's code", async () => {
    const closed = await freePort();
    const bot = start({ OPENAI_BASE_URL: `http://127.0.0.1:${closed}/v1` });
    const line = await failedTurn(bot, "anyone there?");
    const errors = chain(line);
    expect(errors[0]).toMatchObject({ type: "APIConnectionError", message: "Connection error." });
    const refused = errors.find((e) => e.code === "ECONNREFUSED");
    expect(refused?.message).toContain(`127.0.0.1:${closed}`);
    // Each error of the chain appears once: no message repeats its cause's.
    const messages = errors.map((e) => e.message);
    expect(new Set(messages).size).toBe(messages.length);
    expect(errors.slice(1).every((e) => e.stack === undefined)).toBe(true);
  });

  test("a Telegram 400: the method, the status and Telegram's description", async () => {
    const bot = start({});
    await bot.waitForLog((l) => l.msg === "bot started");
    tg.failWhen("sendMessage", (p) => p.chat_id === CHAT, {
      error_code: 400,
      description: "Bad Request: not enough rights to send text messages to the chat",
    });
    try {
      const line = await failedTurn(bot, "answer me");
      const errors = chain(line);
      const telegram = errors.find((e) => e.type === "GrammyError");
      expect(telegram).toMatchObject({ status: 400, method: "sendMessage" });
      expect(telegram!.message).toContain("not enough rights to send text messages");
      const apology = await bot.waitForLog((l) => l.msg === "could not send the apology either");
      expect(chain(apology)[0]).toMatchObject({ type: "GrammyError", status: 400 });
    } finally {
      tg.clearFailures();
    }
  });

  describe("a store failure", () => {
    let store: StoreBackend;
    beforeAll(async () => {
      store = await startStore("redis");
    });
    afterAll(async () => {
      await store?.stop();
    });

    test("names the operation, the key and the cause once", async () => {
      const bot = start(store.env);
      await bot.waitForLog((l) => l.msg === "bot started");
      const first = tg.sendUserMessage({ chatId: CHAT, from: ann, text: "/a remember" });
      const answer = await tg.waitFor((s) => repliesTo(s, first)[0]);
      await bot.waitForLog((l) => l.msg === "answered" && l.message_id === first.message_id);
      await store.kill();
      tg.sendUserMessage({ chatId: CHAT, from: ann, text: "and now?", replyTo: answer });
      const line = await bot.waitForLog(
        (l) => l.msg === "store call failed; the run goes on without it" && l.operation === "read",
      );
      expect(line.key).toBe(`bot:${answer.message_id}:${CHAT}`);
      const cause = String(line.cause);
      // Refused at once ("… failed: Redis is not connected …") or, on a loaded machine, the
      // call's budget ran out first ("… timed out after 250 ms").
      expect(cause).toMatch(
        /^(StoreError: \[agents-memory\] \[ioredis\] read bot:\S+ failed: .*Redis|StoreTimeoutError: \[agents-memory\] read bot:\S+ timed out after 250 ms$)/,
      );
      // The reason appears once, not once per level of the chain ("boom: boom").
      expect(cause).not.toMatch(/(.{12,}).*\1/);
    });
  });
});
