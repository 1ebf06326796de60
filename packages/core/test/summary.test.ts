import { Agent, type AgentInputItem, type Model, Runner, setTracingDisabled } from "@openai/agents";
import { beforeAll, describe, expect, test } from "vitest";
import {
  isSummaryItem,
  MAX_UNSUMMARIZED_ITEMS,
  type MemoryLogger,
  MemoryStore,
  ReplySession,
  replyKey,
  type SessionStore,
  StoreSession,
  SUMMARY_PREFIX,
  silentLogger,
} from "../src";
import { ScriptedModel } from "./__fixtures__/scripted-model";

beforeAll(() => setTracingDisabled(true));

const store = () => new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
const user = (text: string) => ({ role: "user", content: text }) as AgentInputItem;
const assistant = (text: string) =>
  ({
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text }],
  }) as AgentInputItem;

describe("summary options", () => {
  test("bad options are refused when the session is built, naming the option", () => {
    const agent = new Agent({ name: "s", instructions: "sum up" });
    expect(
      () => new StoreSession({ store: store(), summary: { agent, model: "gpt-test" } }),
    ).toThrow(/agent or model\/instructions, not both/);
    expect(() => new StoreSession({ store: store(), summary: { everyTurns: 0 } })).toThrow(
      /summary.everyTurns must be a positive integer, got 0/,
    );
    expect(
      () => new ReplySession({ store: store(), chatId: 1, summary: { timeoutMs: -1 } }),
    ).toThrow(/summary.timeoutMs must be a positive integer, got -1/);
    expect(
      () => new ReplySession({ store: store(), chatId: 1, summary: { agent: {} as Agent } }),
    ).toThrow(/summary.agent must be an Agent/);
    const memory = store();
    const plain: SessionStore = {
      read: (key, limit) => memory.read(key, limit),
      append: (key, items, options) => memory.append(key, items, options),
      replace: (key, items, ttl, options) => memory.replace(key, items, ttl, options),
      fork: (parent, children, items, options) => memory.fork(parent, children, items, options),
      pop: (key, options) => memory.pop(key, options),
      clear: (key, options) => memory.clear(key, options),
    };
    expect(() => new StoreSession({ store: plain, maxItems: 4, summary: {} })).toThrow(
      /summary needs a store with transact/,
    );
    expect(() => new StoreSession({ store: store(), summary: {} })).toThrow(
      /summary needs maxItems or maxTokens/,
    );
  });

  test("StoreSession: the summary item heads the window, the summariser sees what fell out, and the window stays within maxItems", async () => {
    const model = new ScriptedModel();
    const summariser = new Agent({ name: "s", instructions: "sum up", model });
    const memory = store();
    const session = new StoreSession({
      store: memory,
      sessionId: "s1",
      maxItems: 4,
      summary: { agent: summariser, everyTurns: 1, runner: new Runner({ tracingDisabled: true }) },
      logger: silentLogger,
    });
    for (let turn = 1; turn <= 2; turn++) {
      await session.addItems([user(`q${turn}`), assistant(`a${turn}`)]);
      expect(await session.flushSummary()).toBeUndefined();
    }
    model.script({ text: "they asked q1" });
    await session.addItems([user("q3"), assistant("a3")]);
    expect(await session.flushSummary()).toEqual({ status: "summarized", items: 4 });
    // The summariser was given the messages that left the window (and the oldest turn kept).
    const given = JSON.stringify(model.requests[0]!.input);
    expect(given).toContain("user: q1");
    expect(given).toContain("user: q2");
    expect(given).not.toContain("q3");
    const items = await session.getItems();
    expect(items).toHaveLength(3);
    expect(isSummaryItem(items[0])).toBe(true);
    expect(items[0]).toEqual({
      type: "message",
      role: "system",
      content: `${SUMMARY_PREFIX}they asked q1`,
    });
    expect(items.slice(1)).toEqual([user("q3"), assistant("a3")]);
  });

  test("ReplySession: a reply to an older answer keeps that answer's history, untouched by a later summary", async () => {
    const model = new ScriptedModel();
    const memory = store();
    const options = {
      store: memory,
      chatId: 7,
      maxItems: 4,
      summary: {
        agent: new Agent({ name: "s", instructions: "sum up", model }),
        everyTurns: 1,
        runner: new Runner({ tracingDisabled: true }),
      },
      logger: silentLogger,
    };
    let replyTo: number | null = null;
    for (let turn = 1; turn <= 3; turn++) {
      const session: ReplySession = new ReplySession({ ...options, replyToMessageId: replyTo });
      await session.getItems();
      await session.addItems([user(`q${turn}`), assistant(`a${turn}`)]);
      if (turn === 3) model.script({ text: "q1 and q2 were asked" });
      expect((await session.persist(turn)).ok).toBe(true);
      expect((await session.flushSummary())?.status).toBe(turn === 3 ? "summarized" : undefined);
      replyTo = turn;
    }
    const newest = await memory.read(replyKey(3, 7));
    expect(isSummaryItem(newest[0])).toBe(true);
    expect(newest.slice(1)).toEqual([user("q3"), assistant("a3")]);
    expect(await memory.read(replyKey(2, 7))).toEqual([
      user("q1"),
      assistant("a1"),
      user("q2"),
      assistant("a2"),
    ]);
    // A reply below the summary inherits it, within maxItems.
    const below = new ReplySession({ ...options, replyToMessageId: 3 });
    const seen = await below.getItems();
    expect(isSummaryItem(seen[0])).toBe(true);
    expect(seen.slice(1)).toEqual([user("q3"), assistant("a3")]);
  });

  test("a summariser that keeps failing: each failure is logged with its cause; past the backlog limit the oldest items are dropped, and that is logged too", async () => {
    const failing: Model = {
      getResponse: async () => {
        throw new Error("model down");
      },
      getStreamedResponse: () => {
        throw new Error("model down");
      },
    };
    const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
    const logger: MemoryLogger = {
      warn: (fields, message) => lines.push({ level: "warn", message, fields }),
      error: (fields, message) => lines.push({ level: "error", message, fields }),
    };
    const memory = store();
    const options = {
      store: memory,
      chatId: 9,
      maxItems: 2,
      summary: { model: failing, runner: new Runner({ tracingDisabled: true }) },
      logger,
    };
    const turns = (MAX_UNSUMMARIZED_ITEMS + 10) / 2;
    let replyTo: number | null = null;
    for (let turn = 1; turn <= turns; turn++) {
      const session: ReplySession = new ReplySession({ ...options, replyToMessageId: replyTo });
      await session.getItems();
      await session.addItems([user(`q${turn}`), assistant(`a${turn}`)]);
      expect((await session.persist(turn)).ok).toBe(true);
      const outcome = await session.flushSummary();
      // Due once items are out of the window and more than 10 turns (everyTurns) are kept.
      expect(outcome?.status).toBe(turn > 10 ? "failed" : undefined);
      replyTo = turn;
    }
    const failures = lines.filter((line) => line.message.includes("summary of what left"));
    expect(failures).toHaveLength(turns - 10);
    expect(failures[0]).toMatchObject({ level: "error", fields: { cause: "Error: model down" } });
    // Every item is kept up to the backlog limit; past it the oldest go, said each time.
    const stored = await memory.read(replyKey(turns, 9));
    expect(stored).toHaveLength(2 + 1 + MAX_UNSUMMARIZED_ITEMS);
    expect(stored.at(-1)).toEqual(assistant(`a${turns}`));
    const dropped = lines.filter((line) => line.message.includes("dropped unsummarised"));
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]!.level).toBe("warn");
  });
});
