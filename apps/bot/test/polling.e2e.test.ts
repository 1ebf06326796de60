import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import {
  type Message,
  startTelegramServer,
  type TelegramServer,
} from "@agents-memory/test-servers/telegram";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { ann, repliesTo } from "./support/transcript";

/** A model step that answers after `ms`. */
const slow = (ms: number, text: string) =>
  // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
  ({ delayMs: ms, then: { text } });

describe("polling confirms an update only once its turn finished", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  const bots: BotProcess[] = [];

  const start = async (env: Record<string, string> = {}) => {
    const bot = await startBot(tg, ai, env);
    bots.push(bot);
    return bot;
  };

  const ask = (chatId: number, text: string): Message =>
    tg.sendUserMessage({ chatId, from: ann, text: `/a ${text}` });

  beforeEach(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.stop();
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("SHUTDOWN_TIMEOUT_MS=2000 with 20 turns at the model: the next process answers all 20", async () => {
    ai.respondWith(() => slow(60_000, "never sent"));
    const first = await start({ SHUTDOWN_TIMEOUT_MS: "2000" });
    const chats = Array.from({ length: 20 }, (_, i) => -1005000000000 - i);
    const messages = chats.map((chatId, i) => ask(chatId, `question ${i}`));
    await ai.waitForRequests(20);

    expect((await first.stop()).code).toBe(0);
    const left = first.logs.filter((l) => l.msg.includes("it stays unconfirmed"));
    expect(left.map((l) => l.chat_id).sort()).toEqual([...chats].sort());
    for (const message of messages) expect(repliesTo(tg, message)).toHaveLength(0);

    ai.respondWith(undefined);
    await start();
    for (const [i, message] of messages.entries()) {
      const answer = await tg.waitFor((s) => repliesTo(s, message)[0]);
      expect(answer.text).toBe(`echo: Ann(ann): question ${i}`);
    }
  });

  test("finished updates are confirmed at shutdown: the next process does not answer them again", async () => {
    const first = await start();
    const message = ask(-1005000000100, "once");
    await tg.waitFor((s) => repliesTo(s, message)[0]);
    await first.waitForLog((l) => l.msg === "answered");
    expect((await first.stop()).code).toBe(0);

    const second = await start();
    const next = ask(-1005000000100, "twice?");
    await tg.waitFor((s) => repliesTo(s, next)[0]);
    await second.waitForLog((l) => l.msg === "answered" && l.message_id === next.message_id);
    expect(repliesTo(tg, message)).toHaveLength(1);
  });

  test("while a turn runs, other chats' messages still arrive and are answered", async () => {
    ai.script(slow(8_000, "slow answer"));
    const bot = await start();
    const waiting = ask(-1005000000200, "take your time");
    await ai.waitForRequests(1);
    const started = Date.now();
    const quick = ask(-1005000000201, "quick one");
    const answer = await tg.waitFor((s) => repliesTo(s, quick)[0]);
    expect(answer.text).toBe("echo: Ann(ann): quick one");
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(repliesTo(tg, waiting)).toHaveLength(0);
    await tg.waitFor((s) => repliesTo(s, waiting)[0], 15_000);
    await bot.waitForLog((l) => l.msg === "answered" && l.message_id === waiting.message_id);
  });

  test("a full page of updates behind an unfinished turn: that update is confirmed, logged, and polling goes on", async () => {
    ai.script(slow(8_000, "slow answer"));
    const bot = await start();
    const waiting = ask(-1005000000300, "slow");
    await ai.waitForRequests(1);
    // 120 messages the bot ignores (no command) finish at once but stay behind the slow one.
    for (let i = 0; i < 120; i++) {
      tg.sendUserMessage({ chatId: -1005000000301, from: ann, text: `chatter ${i}` });
    }
    const after = ask(-1005000000302, "still there?");
    const answer = await tg.waitFor((s) => repliesTo(s, after)[0], 15_000);
    expect(answer.text).toBe("echo: Ann(ann): still there?");
    const released = await bot.waitForLog((l) => l.msg.startsWith("a full page of updates waits"));
    expect(released).toMatchObject({ level: 40, chat_id: -1005000000300 });
    await tg.waitFor((s) => repliesTo(s, waiting)[0], 15_000);
  });
});
