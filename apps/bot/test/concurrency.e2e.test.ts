import {
  lastUserText,
  type ResponsesServer,
  startResponsesServer,
} from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { ann, bob, repliesTo } from "./support/transcript";

describe("concurrency", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let bot: BotProcess;

  beforeAll(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
    // "slow" questions take a while; everything else is answered at once.
    ai.respondWith((body) => {
      const text = lastUserText(body.input);
      const answer = { text: `answer to ${text}` };
      // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
      return text.includes("slow") ? { delayMs: 1200, then: answer } : answer;
    });
    bot = await startBot(tg, ai);
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("chats run in parallel; within one chat, messages are answered in order", async () => {
    const slowA = tg.sendUserMessage({ chatId: 501, from: ann, text: "/a slow question" });
    const fastA = tg.sendUserMessage({ chatId: 501, from: ann, text: "/a fast question" });
    const fastB = tg.sendUserMessage({ chatId: 502, from: bob, text: "/a quick one" });

    const order: string[] = [];
    const seen = (message: typeof slowA, name: string) =>
      tg.waitFor((s) => repliesTo(s, message)[0]).then(() => order.push(name));
    await Promise.all([seen(slowA, "slowA"), seen(fastA, "fastA"), seen(fastB, "fastB")]);
    // The other chat did not wait for the slow answer; the same chat did.
    expect(order).toEqual(["fastB", "slowA", "fastA"]);
  });
});
