import { ReplySession, replyKey, StoreSession, silentLogger } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * Red team: `ttlSeconds` edge values. assertTtlSeconds accepts any positive safe integer, so a
 * user who wants "practically never" writes `ttlSeconds: Number.MAX_SAFE_INTEGER` (or 1e14).
 */

const server = await startRedisServer();
const direct = new Redis(server.url);
afterAll(async () => {
  direct.disconnect();
  await server.stop();
});

/** A StoreSession turn, then a first message and a reply to it (a fork) with that TTL. */
async function twoTurns(layout: "chain" | "copy", ttl: number) {
  const store = new IoRedisStore({ url: server.url, logger: silentLogger, layout });
  const failures: string[] = [];
  try {
    const key = `ttl:${layout}:${ttl}:${Math.random()}`;
    const session = new StoreSession({ store, sessionId: key, ttlSeconds: ttl });
    await session.addItems([user("hi"), answer("hello")]);
    expect(await session.getItems()).toHaveLength(2);
    expect(await direct.pttl(key)).toBeGreaterThan(0);

    const chat = -100 - Math.floor(Math.random() * 1e6);
    const options = {
      store,
      chatId: chat,
      ttlSeconds: ttl,
      logger: silentLogger,
      onStoreError: (failure: { error: unknown }) => failures.push(String(failure.error)),
    };
    const first = new ReplySession({ ...options, replyToMessageId: null });
    await first.addItems([user("one"), answer("two")]);
    expect((await first.persist([10])).ok).toBe(true);
    const second = new ReplySession({ ...options, replyToMessageId: 10 });
    expect(await second.getItems()).toHaveLength(2);
    await second.addItems([user("three"), answer("four")]);
    return {
      persisted: await second.persist([11]),
      stored: await store.read(replyKey(11, chat)),
      failures,
    };
  } finally {
    await store.close();
  }
}

describe("ttlSeconds edge values that hold", () => {
  test.each([
    ["chain", 1],
    ["chain", 2 ** 31],
    ["chain", 10 ** 12],
    ["copy", 10 ** 15],
    ["copy", Number.MAX_SAFE_INTEGER],
  ] as const)("%s layout, ttlSeconds %d: the reply's fork lands", async (layout, ttl) => {
    const { persisted, stored } = await twoTurns(layout, ttl);
    expect(persisted.ok).toBe(true);
    expect(stored).toHaveLength(4);
  });
});

/*
 * What a user does: `new ReplySession({ ..., ttlSeconds: Number.MAX_SAFE_INTEGER })` (or any TTL
 * from about 1e14 s up) on IoRedisStore with the default chain layout. Construction accepts it.
 * Expected: every reply is remembered, or the option is refused at construction.
 * What happens: the first message stores, but every reply's fork fails with
 * "ERR value is not an integer or out of range ... on @user_script:220": the fork script
 * (FORK_CHAIN, packages/core/src/redis/scripts/chain.ts) computes raise_ms = ttl*1000*1.125 as a
 * Lua double, which Redis turns into "1.125e+17"-style text for PEXPIRE. Each reply is reported
 * not stored (so not silent), but no reply is ever remembered, and nothing refused the option.
 */
describe("ttlSeconds edge values on the chain layout", () => {
  test.fails.each([10 ** 14, 10 ** 15, Number.MAX_SAFE_INTEGER])(
    "chain layout, ttlSeconds %d: accepted at construction, yet every reply's fork fails",
    async (ttl) => {
      const { persisted, stored, failures } = await twoTurns("chain", ttl);
      expect(failures).toEqual([]);
      expect(persisted.ok).toBe(true);
      expect(stored).toHaveLength(4);
    },
  );
});
