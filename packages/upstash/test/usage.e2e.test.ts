import {
  MemoryStore,
  ReplySession,
  type SessionStore,
  StoreSession,
  silentLogger,
  type TokenUsage,
} from "@agents-memory/core";
import { Agent, tool } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { prefix, startEndToEnd } from "./__fixtures__/setup";

/*
 * Usage per conversation, with the real Runner against the local Responses API server on every
 * store: each turn's `result.state.usage` recorded with the turn adds up, per chat
 * (ReplySession) and per session (StoreSession), to exactly what the server reported.
 */

const { model: responses, runner, stores, close } = await startEndToEnd();
afterAll(close);

const lookup = tool({
  name: "lookup",
  description: "Looks a word up.",
  parameters: {
    type: "object",
    properties: { word: { type: "string" } },
    required: ["word"],
    additionalProperties: false,
  },
  strict: true,
  execute: async (input: unknown) => `${(input as { word: string }).word} means a lot`,
});
const agent = new Agent({ name: "usage", instructions: "be brief", tools: [lookup] });

/** The sum of the usage the server reported in `bodies` (its response objects). */
function reported(bodies: any[]): TokenUsage {
  return {
    requests: bodies.length,
    inputTokens: bodies.reduce((sum, body) => sum + body.usage.input_tokens, 0),
    cachedInputTokens: bodies.reduce(
      (sum, body) => sum + (body.usage.input_tokens_details?.cached_tokens ?? 0),
      0,
    ),
    outputTokens: bodies.reduce((sum, body) => sum + body.usage.output_tokens, 0),
    reasoningTokens: bodies.reduce(
      (sum, body) => sum + (body.usage.output_tokens_details?.reasoning_tokens ?? 0),
      0,
    ),
  };
}

describe.each(stores)("$name", ({ store }) => {
  const ttl = { ttlSeconds: 600, timeoutMs: 10_000, logger: silentLogger };

  test("ReplySession: the chat's usage is the sum of every turn the server answered, a tool step included", async () => {
    const keyPrefix = prefix("usage").replace(/:$/, "");
    const chatId = 4242;
    const from = responses.responses.length;
    responses.script(
      { text: "hello" },
      { toolCall: { name: "lookup", arguments: { word: "monad" }, callId: "call_1" } },
      { text: "a monad is a monoid" },
      { text: "bye" },
    );
    let replyTo: number | null = null;
    for (const [turn, input] of ["hi", "what is a monad?", "thanks"].entries()) {
      const session: ReplySession = new ReplySession({
        store,
        chatId,
        replyToMessageId: replyTo,
        keyPrefix,
        ...ttl,
      });
      const result = await runner.run(agent, input, { session });
      expect(await session.recordUsage(result.state.usage)).toBe(true);
      await session.persist(turn + 1);
      replyTo = turn + 1;
      expect(await session.getUsage()).toEqual(reported(responses.responses.slice(from)));
    }
    const usage = await new ReplySession({ store, chatId, keyPrefix, ...ttl }).getUsage();
    expect(usage.requests).toBe(4);
    expect(usage.inputTokens).toBeGreaterThan(0);
    // Another chat under the same prefix has its own counters.
    expect(
      (await new ReplySession({ store, chatId: 7, keyPrefix, ...ttl }).getUsage()).requests,
    ).toBe(0);
  });

  test("StoreSession: getUsage sums the runs recorded on that session only", async () => {
    const sessionId = prefix("usage-s");
    const from = responses.responses.length;
    responses.script({ text: "one" }, { text: "two" });
    const session = new StoreSession({ store, sessionId, ...ttl });
    for (const input of ["first", "second"]) {
      const result = await runner.run(agent, input, { session });
      await session.recordUsage(result.state.usage);
    }
    expect(await session.getUsage()).toEqual(reported(responses.responses.slice(from)));
    expect(
      await new StoreSession({ store, sessionId: `${sessionId}x`, ...ttl }).getUsage(),
    ).toEqual(reported([]));
  });
});

test("a store that keeps no usage: recordUsage says so, before any call", async () => {
  const memory = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
  const plain: SessionStore = {
    read: (key, limit) => memory.read(key, limit),
    replace: (key, items, ttl, options) => memory.replace(key, items, ttl, options),
    append: (key, items, options) => memory.append(key, items, options),
    fork: (parent, children, items, options) => memory.fork(parent, children, items, options),
    pop: (key, options) => memory.pop(key, options),
    clear: (key, options) => memory.clear(key, options),
  };
  const session = new StoreSession({ store: plain, sessionId: "s" });
  await expect(session.recordUsage({ requests: 1 })).rejects.toThrow(/keeps no usage/);
});
