import { silentLogger } from "@agents-memory/core";
import { appendLayout, popLayout, type RedisCommands } from "@agents-memory/core/redis";
import { userItem } from "@agents-memory/core/testing";
import { startLatencyProxy } from "@agents-memory/test-servers/latency-proxy";
import {
  startRedisWithReader,
  storeErrorOf,
  whileLegacyStringChanges,
} from "@agents-memory/test-servers/testing";
import { afterAll, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * A legacy string (the Python bot's JSON array) that another writer changes while a write
 * converts it: the script refuses the stale conversion, the write converts the new string, and
 * a string that keeps changing makes the write fail rather than store a stale history.
 */

const { server, raw: client, stop } = await startRedisWithReader();
afterAll(stop);

let counter = 0;
const key = () => `am-legacy-race:${process.pid}:${++counter}`;
const blob = (...texts: string[]) => JSON.stringify(texts.map((text) => userItem(text)));
const context = (k: string) => ({
  key: k,
  logger: silentLogger,
  store: "ioredis",
  legacyStrings: true,
});

/**
 * Commands on `client` that, after each of the first `times` script answers naming a legacy
 * string, let another writer put a new one under the key (as a concurrent old bot would).
 */
function racingCommands(redisKey: string, times: number): RedisCommands {
  let raced = 0;
  const race = async (reply: unknown) => {
    if (Array.isArray(reply) && reply[0] === "legacy" && raced < times) {
      raced++;
      await client.set(redisKey, blob(`other ${raced}`));
    }
    return reply;
  };
  return {
    evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args).then(race),
    eval: (lua, keys, args) => client.eval(lua, keys.length, ...keys, ...args).then(race),
    lrange: (k, start, stop) => client.lrange(k, start, stop),
    time: async () => Date.now(),
  };
}

const appendOptions = { maxItems: 50, ttlSeconds: 600 };

test("append on a legacy string another writer changed meanwhile converts the new string", async () => {
  const k = key();
  await client.set(k, blob("old"));
  await appendLayout(racingCommands(k, 1), k, [userItem("new")], appendOptions, context(k), 0);
  expect(await client.lrange(k, 0, -1)).toEqual(
    [userItem("other 1"), userItem("new")].map((item) => JSON.stringify(item)),
  );
});

test("pop on a legacy string another writer changed meanwhile pops the new string's newest", async () => {
  const k = key();
  await client.set(k, blob("a", "b"));
  expect(await popLayout(racingCommands(k, 1), k, context(k), 0)).toEqual(userItem("other 1"));
  expect(await client.lrange(k, 0, -1)).toEqual([]);
});

test("a legacy string that keeps changing: the write fails and the last string stays as it was", async () => {
  const k = key();
  await client.set(k, blob("old"));
  await expect(
    appendLayout(racingCommands(k, 10), k, [userItem("new")], appendOptions, context(k), 0),
  ).rejects.toThrow(/kept changing/);
  expect(await client.get(k)).toBe(blob("other 4"));
});

test("through the store, a legacy string that keeps changing fails the write as failed: Redis answered every try", async () => {
  // Each try is a round trip away; the other writer changes the string many times meanwhile.
  const proxy = await startLatencyProxy({ targetPort: server.port });
  proxy.setDelay(10);
  const store = new IoRedisStore({
    url: `redis://127.0.0.1:${proxy.port}`,
    legacyStrings: true,
    logger: silentLogger,
  });
  const k = key();
  await client.set(k, blob("old"));
  try {
    const error = await whileLegacyStringChanges(client, k, () =>
      storeErrorOf(store.append(k, [userItem("new")], appendOptions)),
    );
    expect(error.message).toMatch(/kept changing/);
    expect(error.outcome).toBe("failed");
    expect(error.message).not.toMatch(/may have been applied/);
  } finally {
    await store.close();
    await proxy.close();
  }
  expect(await client.type(k)).toBe("string");
});
