import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import type { BotProcess, LogLine } from "./support/bot-process";
import { useBotWorld } from "./support/e2e";
import type { StoreBackend } from "./support/stores";
import { ann, repliesTo, transcript, turns } from "./support/transcript";

/*
 * A lost history is said, not passed off as a new conversation (issue 22, section 3): the bot
 * gives the replied-to message's date (Telegram's reply_to_message.date) to its ReplySession,
 * so a reply to its own answer, younger than the TTL, whose key is gone (evicted or deleted)
 * logs a warning with the key and the message's age and counts as a missing read. A reply to a
 * message that never carried a history (the help) is a new conversation: nothing to warn about.
 */

const CHAT = -1005000000001;

function statsSum(bot: BotProcess, pick: (line: LogLine) => number): number {
  return bot.logs.filter((l) => l.msg === "stats").reduce((sum, l) => sum + pick(l), 0);
}

describe.each(["redis", "upstash"] as const)("on %s", (kind) => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  useBotWorld(
    kind,
    () => ({ STATS_INTERVAL_SECONDS: "1" }),
    (world) => {
      ({ tg, ai, store, bot } = world);
    },
  );

  test("a reply to an answer whose key is gone is warned about with the key and its age, and counted as missing", async () => {
    const first = await t().turn(CHAT, "/a remember 42");
    const second = await t().turn(CHAT, "and then?", { replyTo: first.answer });
    const key = `bot:${second.answer.message_id}:${CHAT}`;
    await store.raw!.del(key);
    await t().turn(CHAT, "still there?", { replyTo: second.answer });
    const lost = await bot.waitForLog((l) => /younger than the TTL/.test(String(l.msg)));
    expect(lost).toMatchObject({ level: 40, key });
    expect(lost.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(lost.ageSeconds).toBeLessThan(60);
    await bot.waitForLog(() => statsSum(bot, (l) => (l.reads as any).missing) === 1, 5_000);
    expect(statsSum(bot, (l) => (l.reads as any).whole)).toBe(1);
  });

  test("a reply to the help is a new conversation quoting it, without a warning or a missing read", async () => {
    const chat = CHAT - 1;
    // The bot serves every test of the file: count from here.
    const none = statsSum(bot, (l) => (l.reads as any).none);
    const missing = statsSum(bot, (l) => (l.reads as any).missing);
    const help = tg.sendUserMessage({ chatId: chat, from: ann, text: "/help" });
    const helpText = await tg.waitFor((s) => repliesTo(s, help)[0]);
    const reply = await t().turn(chat, "what can you do?", { replyTo: helpText });
    expect(turns(reply.requests[0])).toEqual([
      `user:Memory Test Bot(memory_test_bot): ${helpText.text}\n\nAnn(ann): what can you do?`,
    ]);
    await bot.waitForLog(() => statsSum(bot, (l) => (l.reads as any).none) === none + 1, 5_000);
    const lost = bot.logs.filter((l) => /younger than the TTL/.test(String(l.msg)));
    expect(lost.filter((l) => l.chat_id === chat)).toEqual([]);
    expect(statsSum(bot, (l) => (l.reads as any).missing)).toBe(missing);
  });
});
