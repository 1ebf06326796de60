import { ReplySession, replyKey, silentLogger } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { afterAll, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { startBackend } from "./__fixtures__/setup";

/*
 * Red team, as packages/ioredis/test/redteam-ttl.test.ts on Upstash (the same Redis layout and
 * scripts): `ttlSeconds` from about 1e14 up is accepted, yet every reply's fork fails, since
 * FORK_CHAIN (packages/core/src/redis/scripts/chain.ts) computes the raised TTL in ms as a Lua
 * double that PEXPIRE gets as "1.125e+17"-style text. Each reply is reported not stored.
 */

const backend = await startBackend();
afterAll(() => backend.stop());

async function reply(ttl: number) {
  const store = new UpstashStore({
    url: backend.upstash.url,
    token: backend.upstash.token,
    logger: silentLogger,
  });
  const chat = -100 - Math.floor(Math.random() * 1e6);
  const options = { store, chatId: chat, ttlSeconds: ttl, logger: silentLogger };
  const first = new ReplySession({ ...options, replyToMessageId: null });
  await first.addItems([user("one"), answer("two")]);
  expect((await first.persist([10])).ok).toBe(true);
  const second = new ReplySession({ ...options, replyToMessageId: 10 });
  expect(await second.getItems()).toHaveLength(2);
  await second.addItems([user("three"), answer("four")]);
  const persisted = await second.persist([11]);
  const stored = await store.read(replyKey(11, chat));
  await store.close();
  return { persisted, stored };
}

test("holds: ttlSeconds 1e12 (31,700 years)", async () => {
  const { persisted, stored } = await reply(10 ** 12);
  expect(persisted.ok).toBe(true);
  expect(stored).toHaveLength(4);
});

test.fails.each([10 ** 14, Number.MAX_SAFE_INTEGER])(
  "ttlSeconds %d: accepted at construction, yet the reply's fork fails",
  async (ttl) => {
    const { persisted, stored } = await reply(ttl);
    expect(persisted.ok).toBe(true);
    expect(stored).toHaveLength(4);
  },
);
