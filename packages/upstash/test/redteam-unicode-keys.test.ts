import { MemoryStore, type SessionStore, StoreSession, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { startBackend } from "./__fixtures__/setup";

/*
 * Red team: session ids that are not well-formed UTF-16 (a lone surrogate, e.g. from a
 * truncated emoji in a client-supplied conversation id, or crafted). Redis keys are bytes:
 * ioredis and the Upstash client encode a lone surrogate as U+FFFD, so distinct session ids
 * become one key. What a user does: runs two sessions whose ids differ only in such a
 * character. Expected: two histories (as on the MemoryStore), or the id refused
 * (assertStoreKey, packages/core/src/store/validate.ts, checks only type and length).
 * What happens: the second session reads the first one's history: a leak across sessions.
 */

const backend = await startBackend();
const stores: Array<{ name: string; store: SessionStore }> = [
  {
    name: "IoRedisStore",
    store: new IoRedisStore({ url: backend.redis.url, logger: silentLogger }),
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

/** Ann's history under one malformed id; what a session with another malformed id reads. */
async function otherSessionReads(store: SessionStore): Promise<unknown[] | "refused"> {
  const base = `conv-${Math.random()}-`;
  try {
    const ann = new StoreSession({ store, sessionId: `${base}\ud83d`, logger: silentLogger });
    await ann.addItems([{ role: "user", content: "my card number is 4111" }]);
    const bob = new StoreSession({ store, sessionId: `${base}\ude00`, logger: silentLogger });
    return await bob.getItems();
  } catch (error) {
    if (error instanceof TypeError) return "refused";
    throw error;
  }
}

test("holds on the MemoryStore: two histories", async () => {
  expect(await otherSessionReads(new MemoryStore({ sweepIntervalMs: 0 }))).toEqual([]);
});

describe.each(stores)("$name", ({ store }) => {
  test.fails("two session ids with different lone surrogates never share a history", async () => {
    const read = await otherSessionReads(store);
    expect(read === "refused" || read.length === 0).toBe(true);
  });
});
