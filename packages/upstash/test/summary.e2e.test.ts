import {
  DEFAULT_SUMMARY_INSTRUCTIONS,
  isSummaryItem,
  ReplySession,
  replyKey,
  StoreSession,
  silentLogger,
} from "@agents-memory/core";
import { factKeepingSummary } from "@agents-memory/test-servers/openai";
import { Agent } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { startEndToEnd } from "./__fixtures__/setup";

/*
 * The summary of what falls out of the window on UpstashStore (REST, the local Upstash server
 * over a real redis-server), both sessions, the real Runner against the local Responses API
 * server and its fact-keeping summariser: 100 turns with maxTokens 1000, the turn-1 fact in the
 * model's input at every turn. (MemoryStore and IoRedisStore: packages/ioredis/test.)
 */

const { model, runner, stores, close } = await startEndToEnd();
const store = stores.find(({ name }) => name === "UpstashStore")!.store;
afterAll(close);

model.respondWith((body) =>
  body.instructions === DEFAULT_SUMMARY_INSTRUCTIONS ? factKeepingSummary(body) : undefined,
);
const agent = new Agent({ name: "bot", instructions: "Answer briefly." });
const FACT = "Fact: the launch code is PELICAN-42.";
const chatter = (turn: number) =>
  `Turn ${turn}: ${"please keep this in mind as well. ".repeat(1 + (turn % 7))}`;

describe("UpstashStore: a summary of what falls out of the window", () => {
  test("ReplySession: the fact is in the model's input at every turn to 100, and the newest reply's history starts with the summary", async () => {
    const chat = -Math.floor(Math.random() * 1e9);
    let replyTo: number | null = null;
    const missing: number[] = [];
    for (let turn = 1; turn <= 100; turn++) {
      const session: ReplySession = new ReplySession({
        store,
        chatId: chat,
        replyToMessageId: replyTo,
        maxTokens: 1000,
        summary: { runner },
        logger: silentLogger,
      });
      const before = model.requests.length;
      await runner.run(agent, turn === 1 ? FACT : chatter(turn), { session });
      expect((await session.persist(turn)).ok).toBe(true);
      expect((await session.flushSummary())?.status ?? "summarized").toBe("summarized");
      replyTo = turn;
      if (!JSON.stringify(model.requests[before].input).includes("PELICAN-42")) missing.push(turn);
    }
    expect(missing).toEqual([]);
    const newest = await store.read(replyKey(100, chat));
    expect(isSummaryItem(newest[0])).toBe(true);
  }, 120_000);

  test("StoreSession: the fact is in the model's input at every turn to 100", async () => {
    const session = new StoreSession({
      store,
      sessionId: `summary-${Math.random()}`,
      maxTokens: 1000,
      summary: { runner },
      logger: silentLogger,
    });
    const missing: number[] = [];
    for (let turn = 1; turn <= 100; turn++) {
      const before = model.requests.length;
      await runner.run(agent, turn === 1 ? FACT : chatter(turn), { session });
      expect((await session.flushSummary())?.status ?? "summarized").toBe("summarized");
      if (!JSON.stringify(model.requests[before].input).includes("PELICAN-42")) missing.push(turn);
    }
    expect(missing).toEqual([]);
    expect(isSummaryItem((await store.read(session.key))[0])).toBe(true);
  }, 120_000);
});
