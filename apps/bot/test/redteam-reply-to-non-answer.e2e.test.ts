import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import type { BotProcess, LogLine } from "./support/bot-process";
import { useBotWorld } from "./support/e2e";
import { ann, repliesTo, transcript, turns } from "./support/transcript";

/*
 * Red team: the "missing" read outcome and its warning ("lost history younger than the TTL")
 * are the operator's signal that memory was evicted or deleted. The bot answers any reply to
 * one of its own messages, also to messages that never had a history: its help text (what it
 * sends for /start and /help, which itself says "Reply to one of my answers…").
 */

const CHAT = -1005000000077;

function statsSum(bot: BotProcess, pick: (line: LogLine) => number): number {
  return bot.logs.filter((l) => l.msg === "stats").reduce((sum, l) => sum + pick(l), 0);
}

describe("a reply to a bot message that never had a history", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  useBotWorld(
    "redis",
    () => ({ STATS_INTERVAL_SECONDS: "1" }),
    (world) => {
      ({ tg, ai, bot } = world);
    },
  );

  /*
   * What a user does: sends /help, then replies to the bot's help text with a question.
   * Expected: an answer, and no lost-history report (nothing was ever stored under that key).
   * What happens: the bot reads bot:<helpMessageId>:<chat>, finds no key while the message is
   * younger than the TTL, warns "…younger than the TTL…" and counts a "missing" read, the
   * same signal an evicted conversation gives (apps/bot/src/agent-callback.ts decide():
   * any reply to the bot is a continuation; ReplySession's read outcome, reply-session.ts).
   */
  test.fails("is answered without a lost-history warning or a missing read", async () => {
    const help = tg.sendUserMessage({ chatId: CHAT, from: ann, text: "/help" });
    let helpText: ReturnType<typeof repliesTo>[number] | undefined;
    await bot.waitForLog(() => {
      helpText = repliesTo(tg, help)[0];
      return helpText !== undefined;
    });
    await t().turn(CHAT, "what can you do?", { replyTo: helpText! });
    await bot.waitForLog(
      () => statsSum(bot, (l) => (l.reads as any).whole + (l.reads as any).missing) >= 1,
      5_000,
    );
    expect(bot.logs.filter((l) => /younger than the TTL/.test(String(l.msg)))).toEqual([]);
    expect(statsSum(bot, (l) => (l.reads as any).missing)).toBe(0);
  });

  /*
   * What a user does: a conversation with the bot; one turn fails (the model answers 500 after
   * the client's retries) and the bot apologises under the user's message; the user replies
   * to the apology, "try again".
   * Expected: the retry continues the conversation the failed turn was in (the apology could
   * carry the failed turn's parent history), or at least is not counted as evicted memory.
   * What happens: nothing is stored under the apology (agent-callback.ts #run persists only
   * when an answer was sent), so the retry starts a new conversation: the model no longer
   * knows "Ann", and a lost history is warned about. Medium sure: the help text says to reply
   * to an answer, but an apology invites exactly this reply.
   */
  test.fails("a reply to the apology after a failed turn continues the conversation", async () => {
    const chat = CHAT - 1;
    const first = await t().turn(chat, "/a I am Ann");
    for (let i = 0; i < 3; i++) ai.script({ error: { status: 500 } });
    const failing = tg.sendUserMessage({
      chatId: chat,
      from: ann,
      text: "what is my name?",
      replyTo: first.answer,
    });
    let apology: ReturnType<typeof repliesTo>[number] | undefined;
    await bot.waitForLog(() => {
      apology = repliesTo(tg, failing)[0];
      return apology !== undefined;
    });
    const retry = await t().turn(chat, "try again", { replyTo: apology! });
    expect(turns(retry.requests[0]).join("\n")).toContain("I am Ann");
  });
});
