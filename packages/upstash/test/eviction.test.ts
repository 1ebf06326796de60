import { startRedisServer } from "@agents-memory/test-servers/redis";
import { evictionScenario } from "@agents-memory/test-servers/testing";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { Redis } from "ioredis";
import { expect, test } from "vitest";
import { UpstashStore } from "../src";

/*
 * Losses made visible through the local Upstash server (issue 22, section 3): the Redis behind
 * it evicts under maxmemory; evicted replies read as missing (warned, counted), evicted
 * ancestors as truncated, as Redis's own keys say they should.
 */

test.each(["allkeys-lru", "volatile-lru"])(
  "maxmemory with %s: evicted replies are reported and counted as missing, evicted ancestors as truncated",
  async (policy) => {
    const redis = await startRedisServer({
      args: ["--maxmemory", "6mb", "--maxmemory-policy", policy, "--maxmemory-samples", "10"],
    });
    const upstash = await startUpstashServer({ redisPort: redis.port });
    const direct = new Redis(redis.url);
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>, message: string) =>
        warnings.push({ fields, message }),
      error() {},
    };
    const store = new UpstashStore({
      url: upstash.url,
      token: upstash.token,
      logger,
      timeoutMs: 5_000,
    });
    try {
      const result = await evictionScenario({ store, direct, warnings, logger, chatId: 5150 });
      expect(result.expected).toContain("missing");
      expect(result.outcomes).toEqual(result.expected);
      const count = (outcome: string) => result.expected.filter((o) => o === outcome).length;
      expect(result.counts).toMatchObject({
        missing: count("missing"),
        truncated: count("truncated"),
      });
      expect(result.lost).toHaveLength(count("missing"));
      expect(result.expiredOutcome).toBe("whole");
    } finally {
      await store.close();
      direct.disconnect();
      await upstash.close();
      await redis.stop();
    }
  },
  60_000,
);
