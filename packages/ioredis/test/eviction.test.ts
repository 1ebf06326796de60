import { startRedisServer } from "@agents-memory/test-servers/redis";
import { evictionScenario } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { expect, test } from "vitest";
import { failFastRedisOptions, IoRedisStore } from "../src";

/*
 * Losses made visible (issue 22, section 3): under maxmemory with an LRU policy Redis evicts
 * reply keys. A reply to the bot's message younger than the TTL whose key was evicted is
 * reported (a warning with the key and the message's age) and counted as `missing`; one whose
 * ancestor was evicted as `truncated`; every outcome as Redis's own keys say it should be.
 */

test.each(["allkeys-lru", "volatile-lru"])(
  "maxmemory with %s: evicted replies are reported and counted as missing, evicted ancestors as truncated",
  async (policy) => {
    const server = await startRedisServer({
      args: ["--maxmemory", "6mb", "--maxmemory-policy", policy, "--maxmemory-samples", "10"],
    });
    const direct = new Redis(server.url);
    const client = new Redis(server.url, failFastRedisOptions({ commandTimeoutMs: 5_000 }));
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>, message: string) =>
        warnings.push({ fields, message }),
      error() {},
    };
    const store = new IoRedisStore({ client, logger });
    try {
      const result = await evictionScenario({ store, direct, warnings, logger, chatId: 5150 });
      expect(result.expected).toContain("missing");
      expect(result.outcomes).toEqual(result.expected);
      const count = (outcome: string) => result.expected.filter((o) => o === outcome).length;
      expect(result.counts).toMatchObject({
        missing: count("missing"),
        truncated: count("truncated"),
        whole: count("whole"),
      });
      expect(result.lost).toHaveLength(count("missing"));
      for (const fields of result.lost) {
        expect(fields).toMatchObject({
          key: expect.stringMatching(/^bot:\d+:5150$/),
          ttlSeconds: 3600,
        });
        expect(fields.ageSeconds).toBeGreaterThanOrEqual(60);
        expect(fields.ageSeconds).toBeLessThan(3600);
      }
      // A reply to a message older than the TTL finds an expired history, not a lost one.
      expect(result.expiredOutcome).toBe("whole");
    } finally {
      await store.close();
      client.disconnect();
      direct.disconnect();
      await server.stop();
    }
  },
  60_000,
);
