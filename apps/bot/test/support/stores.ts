import { rawHistory } from "@agents-memory/core/testing";
import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import { redisRawAccess } from "@agents-memory/test-servers/redis-raw";
import { startUpstashServer, type UpstashServer } from "@agents-memory/test-servers/upstash";
import { Redis } from "ioredis";

export type StoreKind = "memory" | "redis" | "upstash";
export const STORE_KINDS: StoreKind[] = ["memory", "redis", "upstash"];

export interface StoreBackend {
  kind: StoreKind;
  /** The bot's environment for this store. */
  env: Record<string, string>;
  /**
   * Reads what the bot wrote, straight from Redis (an independent client, not the bot's
   * store); undefined for the memory store, which lives inside the bot process.
   */
  raw:
    | {
        items(key: string): Promise<any[]>;
        ttlSeconds(key: string): Promise<number>;
        /** Deletes the key (as an eviction or a stray DEL would). */
        del(key: string): Promise<void>;
      }
    | undefined;
  /** Kills the Redis server (SIGKILL) behind the store. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts what a store needs: nothing (memory), a redis-server, or the Upstash server in front of one. */
export async function startStore(kind: StoreKind): Promise<StoreBackend> {
  if (kind === "memory") {
    return {
      kind,
      env: { STORE_URL: "memory://" },
      raw: undefined,
      kill: async () => {},
      stop: async () => {},
    };
  }
  const redis: RedisServer = await startRedisServer();
  const reader = new Redis(redis.port, "127.0.0.1", { maxRetriesPerRequest: 1, lazyConnect: true });
  reader.on("error", () => {});
  let upstash: UpstashServer | undefined;
  let env: Record<string, string>;
  if (kind === "redis") {
    env = { STORE_URL: redis.url };
  } else {
    upstash = await startUpstashServer({ redisPort: redis.port });
    env = {
      STORE_URL: "upstash://",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    };
  }
  return {
    kind,
    env,
    raw: {
      // The history under the key, following the chained layout's links to parent keys.
      items: async (key) =>
        (await rawHistory(redisRawAccess(reader), key)).map((e) => JSON.parse(e)),
      ttlSeconds: (key) => reader.ttl(key),
      del: async (key) => {
        await reader.del(key);
      },
    },
    kill: () => redis.kill(),
    async stop() {
      reader.disconnect();
      await upstash?.close();
      await redis.stop();
    },
  };
}
