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

  const answeredLines = (process: BotProcess) =>
    process.logs.filter((l) => l.msg.startsWith("answered"));

  /** Sends a line, waits for the answer shown as [#answerId] and its "answered" log line. */
  const ask = async (process: BotProcess, line: string, answerId: number) => {
    const before = answeredLines(process).length;
    process.child.stdin!.write(`${line}\n`);
    const [, text] = (await process.waitForOutput(new RegExp(`^\\[#${answerId}\\] (.*)$`, "m")))!;
    await process.waitForLog(() => answeredLines(process).length > before);
    return { text: text!, log: answeredLines(process)[before]! };
  };
  const say = async (line: string, answerId: number) => (await ask(bot, line, answerId)).text;
  /** The keys run 1 wrote, by the shown id of the answer. */
  const keysOfRun1 = new Map<number, string>();

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

    // The same key layout as on Telegram, in the configured store.
    const logs = answeredLines(bot);
    for (const [shown, log] of [
      [2, logs[0]],
      [4, logs[1]],
      [6, logs[2]],
    ] as const) {
      const [key] = log!.keys as string[];
      expect(key).toMatch(new RegExp(`^bot:\\d+:${CONSOLE_CHAT}$`));
      keysOfRun1.set(shown, key!);
    }
    expect(await store.raw!.items(keysOfRun1.get(4)!)).toHaveLength(4);
    expect(await store.raw!.items(keysOfRun1.get(6)!)).toHaveLength(4);
  });

  test("an unknown id is explained; end of input finishes pending turns and exits 0", async () => {
    bot.child.stdin!.write(">99 hello?\n");
    await bot.waitForOutput(/There is no message #99 in this session/);
    bot.child.stdin!.end("last words\n");
    expect((await bot.exited).code).toBe(0);
    expect(bot.stdout()).toContain(`[#8] echo: ${ME}: last words`);
  });

  test("a second run on the same CONSOLE_CHAT_ID writes its own keys; the first run's stay", async () => {
    const run1Answer2 = await store.raw!.items(keysOfRun1.get(2)!);
    const second = spawnBot(
      {
        OPENAI_API_KEY: ai.apiKey,
        OPENAI_BASE_URL: ai.baseURL,
        CONSOLE_CHAT_ID: String(CONSOLE_CHAT),
        LOG_LEVEL: "info",
        ...store.env,
      },
      { stdin: "pipe" },
    );
    try {
      await second.waitForOutput(/How to talk to the bot here/);
      const { text, log } = await ask(second, "a new first question", 2);
      expect(text).toBe(`echo: ${ME}: a new first question`);
      const [key] = log.keys as string[];
      expect([...keysOfRun1.values()]).not.toContain(key);
      // Run 1's #2 still holds run 1's conversation.
      expect(await store.raw!.items(keysOfRun1.get(2)!)).toEqual(run1Answer2);
      expect(await store.raw!.items(key!)).toHaveLength(2);
    } finally {
      second.child.stdin!.end();
      await second.exited;
    }
  });

  test("/reset, other commands, /start and a bare /a get console answers and use up no id", async () => {
    const third = spawnBot(
      { OPENAI_API_KEY: ai.apiKey, OPENAI_BASE_URL: ai.baseURL, LOG_LEVEL: "info", ...store.env },
      { stdin: "pipe" },
    );
    try {
      await third.waitForOutput(/How to talk to the bot here/);
      third.child.stdin!.write("/reset\n");
      await third.waitForOutput(/There is no \/reset here\. Type a question to start a new/);
      third.child.stdin!.write("/settings please\n");
      await third.waitForOutput(/There is no \/settings here/);
      third.child.stdin!.write("/start\n");
      await third.waitForOutput(/How to talk to the bot here[\s\S]*How to talk to the bot here/);
      third.child.stdin!.write("/a\n");
      await third.waitForOutput(/Write your question after \/a, or just type it\./);
      // None of those took an id: the first question is #1 and its answer #2.
      const { text } = await ask(third, "hello", 2);
      expect(text).toBe(`echo: ${ME}: hello`);
      // The Telegram group help ("In groups, /a@…") never shows in the console.
      expect(third.stdout()).not.toContain("In groups");
    } finally {
      third.child.stdin!.end();
      await third.exited;
    }
  });
});
