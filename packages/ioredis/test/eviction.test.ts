import { evictionScenario, expectEvictionReported } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { test } from "vitest";
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
    const result = await evictionScenario({
      policy,
      chatId: 5150,
      open: (server, logger) => {
        const client = new Redis(server.url, failFastRedisOptions({ commandTimeoutMs: 5_000 }));
        const store = new IoRedisStore({ client, logger });
        return {
          store,
          async close() {
            await store.close();
            client.disconnect();
          },
        };
      },
    });
    expectEvictionReported(result, 5150);
  },
  60_000,
);
