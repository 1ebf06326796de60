import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { type StoreBackend, startStore } from "./support/stores";
import { ann, bob, transcript, turns } from "./support/transcript";

/*
 * Usage in the bot (memory store): each turn's usage is recorded for the chat and the user's
 * UTC day; /usage shows what the Responses API server reported; AGENT_DAILY_TOKEN_BUDGET stops
 * a user whose day is spent, with a clear message, and no model call.
 */

const CHAT = -1001000000077;

describe("usage and the daily token budget", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);
  const usageRecorded = (userId: number) =>
    bot.waitForLog((line) => line.msg === "usage recorded" && line.user_id === userId);

  beforeAll(async () => {
    [tg, ai, store] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startStore("memory"),
    ]);
    bot = await startBot(tg, ai, {
      OPENAI_MODEL: "gpt-test",
      BOT_WHITELIST: String(CHAT),
      AGENT_DAILY_TOKEN_BUDGET: "30",
      LOG_LEVEL: "debug",
      ...store.env,
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.close(), ai?.close(), store?.stop()]);
  });

  test("/usage shows the reported usage; a spent daily budget is refused with a message", async () => {
    const from = ai.responses.length;
    const recorded = usageRecorded(ann.id);
    await t().turn(CHAT, "/a tell me something long enough to spend the budget", { from: ann });
    await recorded;
    const reported = ai.responses.slice(from);
    const input = reported.reduce((sum, body) => sum + body.usage.input_tokens, 0);
    const output = reported.reduce((sum, body) => sum + body.usage.output_tokens, 0);
    expect(input + output).toBeGreaterThanOrEqual(30);

    const ask = tg.sendUserMessage({ chatId: CHAT, from: ann, text: "/usage" });
    const report = await waitForReply(ask.message_id);
    expect(report).toContain(
      `This chat: ${reported.length} model requests, ${input} input tokens (0 cached), ${output} output tokens (0 reasoning).`,
    );
    expect(report).toContain(`You today (UTC): ${input + output} of your 30 tokens.`);

    const requests = ai.requests.length;
    const again = tg.sendUserMessage({ chatId: CHAT, from: ann, text: "/a one more?" });
    expect(await waitForReply(again.message_id)).toBe(
      `You have used ${input + output} of your 30 tokens for today; the budget resets at 00:00 UTC.`,
    );
    expect(ai.requests.length).toBe(requests);

    // Another user in the same chat has a budget of their own.
    const bobs = await t().turn(CHAT, "/a hi", { from: bob });
    expect(bobs.requests).toHaveLength(1);
  });

  test("a reply to the /usage report is a new conversation quoting it, not a lost history", async () => {
    const cy = { id: 1003, first_name: "Cy" };
    const ask = tg.sendUserMessage({ chatId: CHAT, from: cy, text: "/usage" });
    await waitForReply(ask.message_id);
    const report = tg
      .sentMessages(CHAT)
      .find((m) => m.reply_to_message?.message_id === ask.message_id)!;
    const reply = await t().turn(CHAT, "what does cached mean?", { from: cy, replyTo: report });
    expect(turns(reply.requests[0])).toEqual([
      `user:Memory Test Bot(memory_test_bot): ${report.text}\n\nCy: what does cached mean?`,
    ]);
    expect(bot.logs.filter((l) => /younger than the TTL/.test(String(l.msg)))).toEqual([]);
  });

  async function waitForReply(messageId: number): Promise<string> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const reply = tg
        .sentMessages(CHAT)
        .find((m: any) => m.reply_to_message?.message_id === messageId);
      if (reply) return reply.text ?? "";
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no reply to ${messageId}`);
  }
});
