import {
  DEFAULT_SUMMARY_INSTRUCTIONS,
  isSummaryItem,
  type MemoryLogger,
  ReplySession,
  replyKey,
  StoreSession,
  type SummaryOptions,
  silentLogger,
} from "@agents-memory/core";
import { factKeepingSummary } from "@agents-memory/test-servers/openai";
import { Agent } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { startEndToEnd } from "./__fixtures__/end-to-end";

/*
 * The summary of what falls out of the window, end to end: the real Runner against the local
 * Responses API server (its summariser keeps the facts it is given), on MemoryStore and on a
 * real redis-server, for both sessions.
 */

const { model, runner, stores, close: stop } = await startEndToEnd();
afterAll(stop);

const FACT = "Fact: the launch code is PELICAN-42.";
const isSummaryRequest = (body: any) => body?.instructions === DEFAULT_SUMMARY_INSTRUCTIONS;
const agent = new Agent({ name: "bot", instructions: "Answer briefly." });
const summary = (extra: Partial<SummaryOptions> = {}): SummaryOptions => ({ runner, ...extra });
/** The words of a turn that is not the fact: a varying length, as a chat has. */
const chatter = (turn: number) =>
  `Turn ${turn}: ${"please keep this in mind as well. ".repeat(1 + (turn % 7))}`;

/** The text of every input item of a model request, as one string. */
const inputOf = (body: any) => JSON.stringify(body.input);

/** A logger that keeps what it is told. */
function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const logger: MemoryLogger = {
    warn: (fields, message) => lines.push({ level: "warn", fields, message }),
    error: (fields, message) => lines.push({ level: "error", fields, message }),
  };
  return { logger, lines };
}

describe.each(stores)("$name", ({ make }) => {
  test("ReplySession by count only (50 items): the turn-1 fact is gone from the model's input by turn 30", async () => {
    model.respondWith(undefined);
    const { store, close } = make();
    const chat = -Math.floor(Math.random() * 1e9);
    let replyTo: number | null = null;
    const seen: boolean[] = [];
    try {
      for (let turn = 1; turn <= 30; turn++) {
        const session: ReplySession = new ReplySession({
          store,
          chatId: chat,
          replyToMessageId: replyTo,
          logger: silentLogger,
        });
        const before = model.requests.length;
        await runner.run(agent, turn === 1 ? FACT : chatter(turn), { session });
        expect((await session.persist(turn)).ok).toBe(true);
        replyTo = turn;
        seen.push(inputOf(model.requests[before]).includes("PELICAN-42"));
      }
      expect(seen.slice(0, 25).every(Boolean)).toBe(true);
      expect(seen.at(-1)).toBe(false);
    } finally {
      await close();
    }
  });

  test("StoreSession by count only (maxItems 50): the turn-1 fact is gone from the model's input by turn 30", async () => {
    model.respondWith(undefined);
    const { store, close } = make();
    const session = new StoreSession({
      store,
      sessionId: `count-${Math.random()}`,
      maxItems: 50,
      logger: silentLogger,
    });
    const seen: boolean[] = [];
    try {
      for (let turn = 1; turn <= 30; turn++) {
        const before = model.requests.length;
        await runner.run(agent, turn === 1 ? FACT : chatter(turn), { session });
        seen.push(inputOf(model.requests[before]).includes("PELICAN-42"));
      }
      expect(seen.slice(0, 25).every(Boolean)).toBe(true);
      expect(seen.at(-1)).toBe(false);
    } finally {
      await close();
    }
  });

  test("ReplySession with maxTokens 2000 and a summary: the fact is in the model's input at every turn to 200; older answers keep their own history", async () => {
    model.respondWith((body) => (isSummaryRequest(body) ? factKeepingSummary(body) : undefined));
    const { store, close } = make();
    const chat = -Math.floor(Math.random() * 1e9);
    let replyTo: number | null = null;
    const missing: number[] = [];
    const summaries: string[] = [];
    let turn50: unknown[] = [];
    try {
      for (let turn = 1; turn <= 200; turn++) {
        const session: ReplySession = new ReplySession({
          store,
          chatId: chat,
          replyToMessageId: replyTo,
          maxTokens: 2000,
          summary: summary(),
          logger: silentLogger,
        });
        const before = model.requests.length;
        await runner.run(agent, turn === 1 ? FACT : chatter(turn), { session });
        expect((await session.persist(turn)).ok).toBe(true);
        const outcome = await session.flushSummary();
        if (outcome) summaries.push(outcome.status);
        replyTo = turn;
        if (!inputOf(model.requests[before]).includes("PELICAN-42")) missing.push(turn);
        if (turn === 50) turn50 = await store.read(replyKey(50, chat));
      }
      expect(missing).toEqual([]);
      // Summaries ran about every 10 turns once the window was full: not on every turn.
      expect(summaries.length).toBeGreaterThan(5);
      expect(summaries.length).toBeLessThanOrEqual(20);
      expect(summaries.every((status) => status === "summarized")).toBe(true);
      // The newest answer's history starts with the summary, which carries the fact.
      const last = await store.read(replyKey(200, chat));
      expect(isSummaryItem(last[0])).toBe(true);
      expect(JSON.stringify(last[0])).toContain("PELICAN-42");
      // An older answer is untouched by later summaries: a fork from it gets its own history.
      expect(await store.read(replyKey(50, chat))).toEqual(turn50);
      const older = await store.read(replyKey(150, chat));
      expect(isSummaryItem(older[0])).toBe(true);
      const fork = new ReplySession({
        store,
        chatId: chat,
        replyToMessageId: 150,
        maxTokens: 2000,
        summary: summary(),
        logger: silentLogger,
      });
      const before = model.requests.length;
      await runner.run(agent, "back to turn 150", { session: fork });
      expect(model.requests[before].input[0]).toEqual({
        role: "system",
        content: (older[0] as { content: string }).content,
      });
    } finally {
      await close();
    }
  }, 120_000);

  test("StoreSession with maxTokens 2000 and a summary: the fact is in the model's input at every turn to 200", async () => {
    model.respondWith((body) => (isSummaryRequest(body) ? factKeepingSummary(body) : undefined));
    const { store, close } = make();
    const session = new StoreSession({
      store,
      sessionId: `summary-${Math.random()}`,
      maxTokens: 2000,
      summary: summary(),
      logger: silentLogger,
    });
    const missing: number[] = [];
    let summaries = 0;
    try {
      for (let turn = 1; turn <= 200; turn++) {
        const before = model.requests.length;
        await runner.run(agent, turn === 1 ? FACT : chatter(turn), { session });
        const outcome = await session.flushSummary();
        if (outcome) {
          expect(outcome.status).toBe("summarized");
          summaries++;
        }
        if (!inputOf(model.requests[before]).includes("PELICAN-42")) missing.push(turn);
      }
      expect(missing).toEqual([]);
      expect(summaries).toBeGreaterThan(5);
      expect(summaries).toBeLessThanOrEqual(20);
      const stored = await store.read(session.key);
      expect(isSummaryItem(stored[0])).toBe(true);
    } finally {
      await close();
    }
  }, 120_000);

  test("a summary that fails (the model server answers 500) keeps every item, and is logged with its error and counted", async () => {
    model.respondWith((body) =>
      isSummaryRequest(body)
        ? { error: { status: 500, headers: { "x-should-retry": "false" } } }
        : undefined,
    );
    const { store, close } = make();
    const reply = recordingLogger();
    const stable = recordingLogger();
    const failures: string[] = [];
    const options = summary({ everyTurns: 2, onError: (_error, { key }) => failures.push(key) });
    const chat = -Math.floor(Math.random() * 1e9);
    const stableSession = new StoreSession({
      store,
      sessionId: `summary-fails-${Math.random()}`,
      maxItems: 4,
      summary: options,
      logger: stable.logger,
    });
    let replyTo: number | null = null;
    const outcomes: Array<string | undefined> = [];
    try {
      for (let turn = 1; turn <= 8; turn++) {
        const session: ReplySession = new ReplySession({
          store,
          chatId: chat,
          replyToMessageId: replyTo,
          maxItems: 4,
          summary: options,
          logger: reply.logger,
        });
        await runner.run(agent, `Turn ${turn}`, { session });
        expect((await session.persist(turn)).ok).toBe(true);
        outcomes.push((await session.flushSummary())?.status);
        replyTo = turn;
        await runner.run(agent, `Turn ${turn}`, { session: stableSession });
        outcomes.push((await stableSession.flushSummary())?.status);
      }
      // Every item of the 8 turns is still stored, in both sessions.
      expect(await store.read(replyKey(8, chat))).toHaveLength(16);
      expect(await store.read(stableSession.key)).toHaveLength(16);
      expect(outcomes.filter((status) => status === "failed").length).toBeGreaterThan(2);
      expect(outcomes).not.toContain("summarized");
      expect(failures.length).toBe(outcomes.filter((status) => status === "failed").length);
      for (const { lines } of [reply, stable]) {
        const failed = lines.filter((line) => line.message.includes("summary"));
        expect(failed.length).toBeGreaterThan(0);
        expect(failed[0]!.level).toBe("error");
        expect(String(failed[0]!.fields.cause)).toMatch(/500/);
      }
    } finally {
      model.respondWith(undefined);
      await close();
    }
  }, 60_000);
});
