import type { AgentInputItem } from "@openai/agents";
import { describe, expect, test } from "vitest";
import {
  countItemTokens,
  INLINE_DATA_TOKENS,
  ITEM_OVERHEAD_TOKENS,
  loadO200kCounter,
  MemoryStore,
  ReplySession,
  silentLogger,
  tokenUsageOf,
} from "../src";
import { storedTokenCount } from "../src/store";

const words = (text: string) => text.split(" ").length;

describe("countItemTokens", () => {
  test("counts what the model reads: text, a call's name and arguments; not ids, types or provider data", () => {
    const call = {
      type: "function_call",
      id: "fc_123456789",
      callId: "call_abcdefgh",
      name: "lookup",
      arguments: '{"q":"x"}',
      providerData: { anything: "a long opaque provider string ".repeat(50) },
    } as AgentInputItem;
    expect(countItemTokens(call, words)).toBe(ITEM_OVERHEAD_TOKENS + 1 + 1);
  });

  test("an inline image counts a flat cost, never its base64 text", () => {
    const item = {
      role: "user",
      content: [
        { type: "input_text", text: "what is this" },
        { type: "input_image", image: `data:image/png;base64,${"A".repeat(100_000)}` },
      ],
    } as AgentInputItem;
    expect(countItemTokens(item, words)).toBe(ITEM_OVERHEAD_TOKENS + 3 + INLINE_DATA_TOKENS);
  });

  test("the default counter is o200k", async () => {
    const counter = await loadO200kCounter();
    // "Hello world" is two o200k tokens.
    expect(counter({ role: "user", content: "Hello world" } as AgentInputItem)).toBe(
      ITEM_OVERHEAD_TOKENS + 2,
    );
  });
});

describe("tokenUsageOf", () => {
  test("sums cached and reasoning tokens over the SDK's per-request details", () => {
    expect(
      tokenUsageOf({
        requests: 2,
        inputTokens: 300,
        outputTokens: 50,
        inputTokensDetails: [{ cached_tokens: 100 }, { cached_tokens: 20 }],
        outputTokensDetails: [{ reasoning_tokens: 7 }, {}],
      }),
    ).toEqual({
      requests: 2,
      inputTokens: 300,
      cachedInputTokens: 120,
      outputTokens: 50,
      reasoningTokens: 7,
    });
    expect(tokenUsageOf(undefined).requests).toBe(0);
  });
});

test("ReplySession: a newest item alone over maxTokens leaves an empty window, stored as nothing, and says so", async () => {
  const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
  const warnings: Array<[Record<string, unknown>, string]> = [];
  const logger = {
    warn: (f: Record<string, unknown>, m: string) => warnings.push([f, m]),
    error() {},
  };
  const options = { store, chatId: 5, filter: {}, maxTokens: 50, logger };
  const first = new ReplySession(options);
  await first.addItems([{ role: "user", content: "short question" } as AgentInputItem]);
  expect((await first.persist(1)).itemCount).toBe(1);
  expect(storedTokenCount(store.inspect("bot:1:5").elements![0]!)).toBeGreaterThan(0);
  const second = new ReplySession({ ...options, replyToMessageId: 1 });
  await second.addItems([{ role: "user", content: "word ".repeat(200) } as AgentInputItem]);
  const result = await second.persist(2);
  expect(result).toMatchObject({ ok: true, outcome: "stored", itemCount: 0 });
  expect(warnings).toEqual([
    [
      { keys: ["bot:2:5"], maxTokens: 50 },
      "the newest item alone is over maxTokens: nothing is stored for this answer, so a reply to it starts without history",
    ],
  ]);
  expect(store.inspect("bot:2:5").elements).toBeNull();
  expect(await new ReplySession({ ...options, replyToMessageId: 2 }).getItems()).toEqual([]);
});
