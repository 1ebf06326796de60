import { DEFAULT_SUMMARY_INSTRUCTIONS, loadO200kCounter } from "@agents-memory/core";
import { factKeepingSummary } from "@agents-memory/test-servers/openai";
import type { AgentInputItem } from "@openai/agents";
import { describe, expect, test } from "vitest";
import { type BotWorld, useBotWorld } from "./support/e2e";
import { type Turn, transcript } from "./support/transcript";

/*
 * Context that fits, end to end (memory store): with AGENT_MAX_TOKENS the history the model is
 * sent stays within the budget (o200k, the library's count; the turn's new message comes on
 * top); with AGENT_SUMMARY on too, what left the window is summarised by the bot's model and a
 * fact from the first turn is still in the model's input many turns later.
 */

const CHAT = -1001000000088;
const MAX_TOKENS = 300;
const isSummary = (body: any) => body.instructions === DEFAULT_SUMMARY_INSTRUCTIONS;
const words = (turn: number) =>
  `Turn ${turn}: ${"a few more words to fill the window. ".repeat(1 + (turn % 4))}`;

describe.each([
  { summary: false, name: "AGENT_MAX_TOKENS" },
  { summary: true, name: "AGENT_MAX_TOKENS and AGENT_SUMMARY" },
])("$name", ({ summary }) => {
  let world: BotWorld;
  let previous: Turn | undefined;
  const t = () => transcript(world.tg, world.ai, () => world.bot);
  useBotWorld(
    "memory",
    () => ({
      OPENAI_MODEL: "gpt-test",
      BOT_WHITELIST: String(CHAT),
      AGENT_MAX_TOKENS: String(MAX_TOKENS),
      ...(summary ? { AGENT_SUMMARY: "on", STATS_INTERVAL_SECONDS: "1" } : {}),
    }),
    (ready) => {
      world = ready;
      world.ai.respondWith((body) => (isSummary(body) ? factKeepingSummary(body) : undefined));
    },
  );

  test(summary
    ? "the model's history stays within the budget, the summary included, and the turn-1 fact is still in the input at turn 24"
    : "the model's history stays within the budget, and the turn-1 fact is gone by turn 24", async () => {
    const count = await loadO200kCounter();
    const history: number[] = [];
    let factAtEnd = false;
    for (let turn = 1; turn <= 24; turn++) {
      const text = turn === 1 ? "/a Fact: the door code is 4711." : words(turn);
      const now: Turn = await t().turn(CHAT, text, previous ? { replyTo: previous.answer } : {});
      const [request] = now.requests.filter((body) => !isSummary(body));
      const input = request.input as AgentInputItem[];
      // The history the bot sent: everything before the turn's new message.
      history.push(input.slice(0, -1).reduce((sum, item) => sum + count(item), 0));
      factAtEnd = JSON.stringify(input).includes("4711");
      previous = now;
    }
    expect(Math.max(...history)).toBeLessThanOrEqual(MAX_TOKENS);
    // The budget was reached, so the window was cut.
    expect(Math.max(...history)).toBeGreaterThan(MAX_TOKENS / 2);
    expect(factAtEnd).toBe(summary);
    if (summary) {
      // Counted in the stats line.
      await world.bot.waitForLog(
        (line) => line.msg === "stats" && (line.summaries as any)?.done > 0,
        10_000,
      );
    }
  }, 60_000);

  test.runIf(summary)(
    "a summary that fails (the model server answers 500) is logged with its cause and counted; the conversation goes on",
    async () => {
      world.ai.respondWith((body) =>
        isSummary(body)
          ? { error: { status: 500, headers: { "x-should-retry": "false" } } }
          : undefined,
      );
      // A summary is due within everyTurns (10) turns of the last one.
      for (let turn = 25; turn <= 36; turn++) {
        previous = await t().turn(CHAT, words(turn), { replyTo: previous!.answer });
        expect(previous.answer.text).toContain(`Turn ${turn}`);
      }
      const failed = await world.bot.waitForLog(
        (line) => line.msg.startsWith("the summary of what left the window failed"),
        10_000,
      );
      expect(failed.level).toBe(50);
      expect(String(failed.cause)).toMatch(/500/);
      await world.bot.waitForLog(
        (line) => line.msg === "stats" && (line.summaries as any)?.failed > 0,
        10_000,
      );
    },
    30_000,
  );
});
