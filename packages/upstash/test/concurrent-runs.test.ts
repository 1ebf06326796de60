import { type SessionStore, StoreSession, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { startResponsesRunner } from "@agents-memory/test-servers/testing";
import { Agent, MemorySession, type Session } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { everyStore, prefix, startBackend } from "./__fixtures__/setup";

/*
 * One conversation, several turns at once (a user double-sends; two browser tabs),
 * each in its own StoreSession on the same id (as separate processes would be). Every turn
 * must be answered and every user message and answer must be in the history, once.
 */

const backend = await startBackend();
const { server: responses, runner } = await startResponsesRunner();
const stores: Array<{ name: string; store: SessionStore }> = [
  ...everyStore(backend),
  {
    name: "IoRedisStore, copy layout",
    store: new IoRedisStore({ url: backend.redis.url, logger: silentLogger, layout: "copy" }),
  },
];
afterAll(async () => {
  for (const { store } of stores) await store.close?.();
  await responses.close();
  await backend.stop();
});

const agent = new Agent({ name: "echo", instructions: "be brief" });
const TURNS = 6;

async function concurrentTurns(session: () => Session) {
  // Every request is answered after 30 ms, so the runs overlap.
  responses.respondWith((body) => ({
    delayMs: 30,
    // biome-ignore lint/suspicious/noThenProperty: ScriptStep's contract names it "then" (never a function)
    then: { text: `seen ${JSON.stringify(body.input).length}` },
  }));
  const results = await Promise.allSettled(
    Array.from({ length: TURNS }, (_, i) =>
      runner.run(agent, `message ${i}`, { session: session() }),
    ),
  );
  responses.respondWith(undefined);
  return results.map((result) =>
    result.status === "fulfilled" ? "answered" : String(result.reason),
  );
}

const texts = (items: any[]) =>
  items.map((item) => `${item.role}:${typeof item.content === "string" ? item.content : "answer"}`);

test("holds on MemorySession (one process)", async () => {
  const shared = new MemorySession();
  expect(await concurrentTurns(() => shared)).toEqual(Array(TURNS).fill("answered"));
  const items = texts(await shared.getItems());
  expect(items.filter((t) => t.startsWith("user:")).sort()).toEqual(
    Array.from({ length: TURNS }, (_, i) => `user:message ${i}`).sort(),
  );
  expect(items.filter((t) => t === "assistant:answer")).toHaveLength(TURNS);
});

describe.each(stores)("$name", ({ store }) => {
  test("every concurrent turn is answered and stored once", async () => {
    const sessionId = prefix("concurrent");
    const outcomes = await concurrentTurns(
      () => new StoreSession({ store, sessionId, logger: silentLogger }),
    );
    expect(outcomes).toEqual(Array(TURNS).fill("answered"));
    const items = texts(await new StoreSession({ store, sessionId }).getItems());
    expect(items.filter((t) => t.startsWith("user:")).sort()).toEqual(
      Array.from({ length: TURNS }, (_, i) => `user:message ${i}`).sort(),
    );
    expect(items.filter((t) => t === "assistant:answer")).toHaveLength(TURNS);
  });
});
