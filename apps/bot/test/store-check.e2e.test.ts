import { startClusterModeNode } from "@agents-memory/test-servers/cluster";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnBot } from "./support/bot-process";
import { serverEnv, startBot } from "./support/e2e";

/** A store budget that survives a loaded test machine (the check makes several round trips). */
const SLOW_MACHINE = "3000";

describe("the store check at start-up", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let redis: RedisServer;
  let clusterNode: RedisServer;

  beforeAll(async () => {
    [tg, ai, redis, clusterNode] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startRedisServer(),
      startClusterModeNode(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([tg?.close(), ai?.close(), redis?.stop(), clusterNode?.stop()]);
  });

  test("a store that works: its check is logged in one line, with the round trip", async () => {
    const bot = await startBot(tg, ai, { STORE_URL: redis.url, STORE_TIMEOUT_MS: SLOW_MACHINE });
    try {
      const line = bot.logs.find((l) => /store check passed/.test(l.msg));
      expect(line?.msg).toMatch(/layout chain, write fence on, round trip/);
      expect(line?.roundTripMs).toEqual(expect.any(Number));
    } finally {
      await bot.stop();
    }
  });

  test("redis:// to a cluster-mode server: exit 1 with one line naming redis+cluster://", async () => {
    const bot = spawnBot({ ...serverEnv(tg, ai), STORE_URL: clusterNode.url });
    expect((await bot.exited).code).toBe(1);
    const refusal = bot.stderr().split("\n").filter(Boolean);
    expect(refusal).toEqual([
      expect.stringMatching(
        new RegExp(
          `^refusing to start: .*cluster mode.*redis\\+cluster://127\\.0\\.0\\.1:${clusterNode.port}`,
        ),
      ),
    ]);
    expect(bot.logs.filter((l) => l.level === 60)).toEqual([
      expect.objectContaining({ problem: "cluster-mode" }),
    ]);
  });

  test("a password Redis refuses: exit 1 with one line saying so, the password never printed", async () => {
    const locked = await startRedisServer();
    try {
      const admin = new Redis(locked.url);
      await admin.config("SET", "requirepass", "right-secret");
      admin.disconnect();
      const bot = spawnBot({
        ...serverEnv(tg, ai),
        STORE_URL: `redis://:wrong-secret-42@127.0.0.1:${locked.port}`,
        STORE_TIMEOUT_MS: SLOW_MACHINE,
      });
      expect((await bot.exited).code).toBe(1);
      expect(bot.stderr().split("\n").filter(Boolean)).toEqual([
        expect.stringMatching(/^refusing to start: .*refused the credentials \(.*WRONGPASS/),
      ]);
      expect(bot.stderr() + bot.stdout()).not.toContain("wrong-secret-42");
    } finally {
      await locked.stop();
    }
  });

  test("a store URL the store refuses (an Upstash REST URL with a bad port): exit 1 with one line, no stack", async () => {
    const bot = spawnBot({
      ...serverEnv(tg, ai),
      STORE_URL: "https://eu1-example.upstash.io:99999",
      UPSTASH_REDIS_REST_TOKEN: "token-never-printed",
    });
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr().split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(/^refusing to start: .*url is not a usable URL: a port above 65535/),
    ]);
    expect(bot.logs.filter((l) => l.level === 60)).toEqual([
      expect.objectContaining({ problem: "store-options" }),
    ]);
    expect(bot.stderr() + bot.stdout()).not.toContain("token-never-printed");
  });

  test("redis+cluster:// to the same server: the bot starts (its store owns the Cluster client)", async () => {
    const bot = await startBot(tg, ai, {
      STORE_URL: `redis+cluster://127.0.0.1:${clusterNode.port}`,
      STORE_TIMEOUT_MS: SLOW_MACHINE,
    });
    try {
      expect(
        bot.logs.find((l) => /store check passed/.test(l.msg))?.msg,
        JSON.stringify(bot.logs.filter((l) => l.level >= 40)),
      ).toMatch(/layout copy/);
    } finally {
      await bot.stop();
    }
  });
});
