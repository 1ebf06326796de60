import { evictionScenario, expectEvictionReported } from "@agents-memory/test-servers/testing";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { test } from "vitest";
import { UpstashStore } from "../src";

/*
 * Losses made visible through the local Upstash server (issue 22, section 3): the Redis behind
 * it evicts under maxmemory; evicted replies read as missing (warned, counted), evicted
 * ancestors as truncated, as Redis's own keys say they should.
 */

test.each(["allkeys-lru", "volatile-lru"])(
  "maxmemory with %s: evicted replies are reported and counted as missing, evicted ancestors as truncated",
  async (policy) => {
    const result = await evictionScenario({
      policy,
      chatId: 5150,
      open: async (redis, logger) => {
        const upstash = await startUpstashServer({ redisPort: redis.port });
        const store = new UpstashStore({
          url: upstash.url,
          token: upstash.token,
          logger,
          timeoutMs: 5_000,
        });
        return {
          store,
          async close() {
            await store.close();
            await upstash.close();
          },
        };
      },
    });
    expectEvictionReported(result, 5150);
  },
  60_000,
);
