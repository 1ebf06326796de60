import { userInfo } from "node:os";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type BotProcess, spawnBot } from "./support/bot-process";
import { type StoreBackend, startStore } from "./support/stores";
import { turns } from "./support/transcript";

const CONSOLE_CHAT = 4242;
/** The console user's first_name is the OS user name. */
const ME = userInfo().username;

describe("console mode (no BOT_TOKEN) with a configured model and store", () => {
  let ai: ResponsesServer;
  let store: StoreBackend;
  let bot: BotProcess;

  beforeAll(async () => {
    [ai, store] = await Promise.all([startResponsesServer(), startStore("redis")]);
    bot = spawnBot(
      {
        OPENAI_API_KEY: ai.apiKey,
        OPENAI_BASE_URL: ai.baseURL,
        OPENAI_MODEL: "gpt-test",
        CONSOLE_CHAT_ID: String(CONSOLE_CHAT),
        // Info logs (JSON on stderr in console mode) tell when a turn's history is stored.
        LOG_LEVEL: "info",
        ...store.env,
      },
      { stdin: "pipe" },
    );
    await bot.waitForOutput(/How to talk to the bot here/);
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([ai?.close(), store?.stop()]);
  });

  const say = async (line: string, answerId: number) => {
    bot.child.stdin!.write(`${line}\n`);
    const [, text] = (await bot.waitForOutput(new RegExp(`^\\[#${answerId}\\] (.*)$`, "m")))!;
    await bot.waitForLog(
      (l) =>
        l.msg.startsWith("answered") &&
        (l.sent_message_ids as number[] | undefined)?.[0] === answerId,
    );
    return text!;
  };

  test("the banner names the model and the store, not the demo", () => {
    expect(bot.stdout()).toMatch(/model: gpt-test via 127\.0\.0\.1:\d+ \(Responses API\)/);
    expect(bot.stdout()).toMatch(/store: redis 127\.0\.0\.1:\d+/);
    expect(bot.stdout()).not.toContain("DEMO");
  });

  test("answers show their ids; >id continues or forks that conversation", async () => {
    expect(await say("first question", 2)).toBe(`echo: ${ME}: first question`);
    expect(turns(ai.requests.at(-1))).toEqual([`user:${ME}: first question`]);
    expect(await say(">2 follow up", 4)).toBe(`echo: ${ME}: follow up`);
    expect(turns(ai.requests.at(-1))).toEqual([
      `user:${ME}: first question`,
      `assistant:echo: ${ME}: first question`,
      `user:${ME}: follow up`,
    ]);
    // A reply to the first answer again forks from there.
    await say(">2 another branch", 6);
    expect(turns(ai.requests.at(-1))).toEqual([
      `user:${ME}: first question`,
      `assistant:echo: ${ME}: first question`,
      `user:${ME}: another branch`,
    ]);

    // The same keys as on Telegram, in the configured store.
    expect(await store.raw!.items(`bot:4:${CONSOLE_CHAT}`)).toHaveLength(4);
    expect(await store.raw!.items(`bot:6:${CONSOLE_CHAT}`)).toHaveLength(4);
  });

  test("an unknown id is explained; end of input finishes pending turns and exits 0", async () => {
    bot.child.stdin!.write(">99 hello?\n");
    await bot.waitForOutput(/There is no message #99 in this session/);
    bot.child.stdin!.end("last words\n");
    expect((await bot.exited).code).toBe(0);
    expect(bot.stdout()).toContain(`[#8] echo: ${ME}: last words`);
  });
});
