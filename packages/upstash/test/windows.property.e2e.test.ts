import {
  MemoryStore,
  ReplySession,
  type SessionStore,
  StoreSession,
  silentLogger,
  windowStart,
} from "@agents-memory/core";
import { elementsWindowStart } from "@agents-memory/core/store";
import { IoRedisStore } from "@agents-memory/ioredis";
import {
  agentHistory,
  agentHistoryBatches,
  type HistoryItem,
  itemLabel,
  modelWindow,
  propertyRuns,
  windowProblem,
} from "@agents-memory/test-servers/testing";
import type { AgentInputItem } from "@openai/agents";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { prefix, startBackend } from "./__fixtures__/setup";

/*
 * The window rule, against an independent model (`modelWindow`: brute force over suffixes), on
 * seeded random agent histories (parallel function and shell calls, outputs in any order,
 * reasoning, a last step still waiting for outputs) added in batches of one to four items, with
 * maxItems from 1 to 12: the pure cut, every store, both sessions, and getItems(limit).
 * `PROPERTY_RUNS=500 pnpm --filter @agents-memory/upstash exec vitest run
 * test/windows.property.e2e.test.ts` is the long run; CI runs the quick size.
 */

const backend = await startBackend();
const stores: Array<{ name: string; store: SessionStore }> = [
  { name: "MemoryStore", store: new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger }) },
  {
    name: "IoRedisStore (chained)",
    store: new IoRedisStore({ url: backend.redis.url, logger: silentLogger }),
  },
  {
    name: "IoRedisStore (copy)",
    store: new IoRedisStore({ url: backend.redis.url, layout: "copy", logger: silentLogger }),
  },
  {
    name: "UpstashStore",
    store: new UpstashStore({
      url: backend.upstash.url,
      token: backend.upstash.token,
      logger: silentLogger,
    }),
  },
];
afterAll(async () => {
  for (const { store } of stores) await store.close?.();
  await backend.stop();
});

const labels = (items: readonly unknown[]) => (items as HistoryItem[]).map(itemLabel);
const maxItemsArb = fc.integer({ min: 1, max: 12 });
// The store tests' budget: the quick size in seconds, a long run as long as it needs.
const storeRuns = propertyRuns(15);
const storeTimeout = 30_000 + storeRuns * 1_000;
// The property is the window, not the budget: a loaded machine must not fail a call.
const BUDGET = 10_000;
const keepAll = { dropTypes: [] as string[], dropIds: [] as string[] };

describe("the window rule itself", () => {
  test("windowStart and elementsWindowStart cut where the model cuts", () => {
    fc.assert(
      fc.property(agentHistory(6), fc.integer({ min: 0, max: 40 }), (items, limit) => {
        const expected = labels(modelWindow(items, limit));
        expect(labels(items.slice(windowStart(items, limit)))).toEqual(expected);
        const elements = items.map((item) => JSON.stringify(item));
        expect(labels(items.slice(elementsWindowStart(elements, limit)))).toEqual(expected);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  test("the model's windows are accepted, and the newest items that fit are kept", () => {
    fc.assert(
      fc.property(agentHistory(6), fc.integer({ min: 1, max: 40 }), (items, limit) => {
        const window = modelWindow(items, limit);
        expect(windowProblem(window)).toBeUndefined();
        expect(window.length).toBeLessThanOrEqual(limit);
        // A suffix: nothing older kept while something newer is dropped.
        expect(window).toEqual(items.slice(items.length - window.length));
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});

describe.each(stores)("$name", ({ store }) => {
  // The cases the issue measured (issue 22), each on every store.
  const item = {
    user: (n: number) => ({ role: "user", content: `u${n}` }),
    answer: (n: number) => ({
      role: "assistant",
      id: `msg_${n}`,
      status: "completed",
      content: [{ type: "output_text", text: `answer ${n}` }],
    }),
    reasoning: (n: number) => ({ type: "reasoning", id: `rs_${n}`, content: [] }),
    call: (id: string) => ({
      type: "function_call",
      id: `fc_${id}`,
      callId: id,
      name: "t",
      arguments: "{}",
    }),
    output: (id: string) => ({
      type: "function_call_result",
      callId: id,
      name: "t",
      status: "completed",
      output: "ok",
    }),
    shell: (id: string) => ({
      type: "shell_call",
      id: `sh_${id}`,
      callId: id,
      status: "completed",
      action: { commands: ["date"] },
    }),
    shellOutput: (id: string) => ({
      type: "shell_call_output",
      callId: id,
      output: [{ stdout: id, stderr: "", outcome: { type: "exit", exitCode: 0 } }],
    }),
  };
  const storeSession = (maxItems: number) =>
    new StoreSession({
      store,
      sessionId: prefix("case"),
      maxItems,
      filter: keepAll,
      timeoutMs: BUDGET,
      logger: silentLogger,
    });

  test("ReplySession, maxItems 4: four parallel calls answered out of order keep no orphaned output", async () => {
    const chatId = -Math.floor(Math.random() * 1e9);
    const session = new ReplySession({
      store,
      chatId,
      replyToMessageId: null,
      maxItems: 4,
      filter: keepAll,
      timeoutMs: BUDGET,
      logger: silentLogger,
    });
    const calls = ["c76", "c77", "c78", "c79"];
    await session.addItems([
      item.user(1),
      item.reasoning(2),
      ...calls.map(item.call),
      ...["c76", "c77", "c79", "c78"].map(item.output),
      item.answer(3),
    ] as AgentInputItem[]);
    expect((await session.persist(11)).ok).toBe(true);
    // Before: output c79, output c78, answer (400 No tool call found for function call output).
    expect(labels(await store.read(`bot:11:${chatId}`))).toEqual(["answer msg_3"]);
  });

  test("StoreSession, maxItems 3: shell outputs never stay without their calls", async () => {
    const session = storeSession(3);
    await session.addItems([
      item.user(1),
      item.shell("c155"),
      item.shell("c156"),
      item.shell("c157"),
    ] as AgentInputItem[]);
    await session.addItems([
      item.shellOutput("c156"),
      item.shellOutput("c155"),
      item.shellOutput("c157"),
    ] as AgentInputItem[]);
    expect(labels(await session.getItems())).toEqual([]);
    await session.addItems([item.answer(2)] as AgentInputItem[]);
    expect(labels(await session.getItems())).toEqual(["answer msg_2"]);
  });

  test("StoreSession, maxItems 1, one item at a time: the newest item is always kept", async () => {
    const session = storeSession(1);
    const sequence = [
      item.user(1),
      item.reasoning(2),
      item.answer(3),
      item.user(4),
      item.answer(5),
    ];
    const seen: string[][] = [];
    for (const next of sequence) {
      await session.addItems([next] as AgentInputItem[]);
      seen.push(labels(await session.getItems()));
    }
    // Before: reasoning rs_2 stayed for good and every later item was dropped.
    expect(seen).toEqual([["user u1"], ["reasoning rs_2"], [], ["user u4"], ["answer msg_5"]]);
  });

  test("StoreSession, maxItems 2: never the call without its output while the output is newer", async () => {
    const session = storeSession(2);
    const seen: string[][] = [];
    for (const next of [
      item.user(1),
      item.reasoning(2),
      item.call("c1"),
      item.output("c1"),
      item.answer(3),
    ]) {
      await session.addItems([next] as AgentInputItem[]);
      seen.push(labels(await session.getItems()));
    }
    // Before: reasoning rs_2, call c1 after the output came (the newest item dropped). The
    // reasoning item, the call and its output are bound together and do not fit in 2.
    expect(seen).toEqual([
      ["user u1"],
      ["user u1", "reasoning rs_2"],
      ["reasoning rs_2", "call c1"],
      [],
      ["answer msg_3"],
    ]);
  });

  test(
    "StoreSession: after every batch, the stored window and getItems(limit) are the model's",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          agentHistoryBatches(),
          maxItemsArb,
          fc.integer({ min: 1, max: 14 }),
          async (batches, maxItems, limit) => {
            const session = new StoreSession({
              store,
              sessionId: prefix("window"),
              maxItems,
              filter: keepAll,
              timeoutMs: BUDGET,
              logger: silentLogger,
            });
            let model: HistoryItem[] = [];
            for (const batch of batches) {
              await session.addItems(batch as AgentInputItem[]);
              model = modelWindow([...model, ...batch], maxItems);
              const context = `maxItems ${maxItems}, after ${labels(batch).join(", ")}`;
              expect(labels(await session.getItems()), context).toEqual(labels(model));
              expect(labels(await session.getItems(limit)), `${context}, limit ${limit}`).toEqual(
                labels(modelWindow(model, limit)),
              );
            }
            await session.clearSession();
          },
        ),
        { numRuns: storeRuns },
      );
    },
    storeTimeout,
  );

  test(
    "ReplySession: a reply chain stores the model's window at every turn",
    async () => {
      const chatId = -Math.floor(Math.random() * 1e9);
      let nextId = Math.floor(Math.random() * 1e6) * 1000;
      await fc.assert(
        fc.asyncProperty(
          agentHistoryBatches(),
          maxItemsArb,
          fc.integer({ min: 1, max: 14 }),
          async (batches, maxItems, limit) => {
            let replyTo: number | null = null;
            let model: HistoryItem[] = [];
            for (const batch of batches) {
              const session: ReplySession = new ReplySession({
                store,
                chatId,
                replyToMessageId: replyTo,
                maxItems,
                filter: keepAll,
                timeoutMs: BUDGET,
                logger: silentLogger,
              });
              const context = `maxItems ${maxItems}, turn adding ${labels(batch).join(", ")}`;
              expect(labels(await session.getItems()), context).toEqual(labels(model));
              await session.addItems(batch as AgentInputItem[]);
              const turn = [...model, ...batch];
              expect(labels(await session.getItems(limit)), `${context}, limit ${limit}`).toEqual(
                labels(modelWindow(turn, limit)),
              );
              model = modelWindow(turn, maxItems);
              replyTo = ++nextId;
              expect((await session.persist(replyTo)).ok).toBe(true);
              expect(labels(await store.read(`bot:${replyTo}:${chatId}`)), context).toEqual(
                labels(model),
              );
            }
          },
        ),
        { numRuns: storeRuns },
      );
    },
    storeTimeout,
  );
});
