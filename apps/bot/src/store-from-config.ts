import { MemoryStore, type SessionStore } from "@agents-memory/core";
import { failFastClusterOptions, IoRedisStore } from "@agents-memory/ioredis";
import { UpstashStore } from "@agents-memory/upstash";
import { Cluster } from "ioredis";
import type { StoreConfig } from "./config";
import type { Logger } from "./logger";

/**
 * The store STORE_URL names: memory:// (in this process), redis:// / rediss:// (ioredis,
 * single node), redis+cluster:// (ioredis Cluster) or upstash:// (Upstash REST). Moving from
 * one to another is a config change only: every store keeps the same keys and layout.
 */
export async function createStore(
  config: StoreConfig,
  logger: Logger,
  timeoutMs: number,
): Promise<SessionStore> {
  const storeLogger = logger.child({ component: "store" });
  switch (config.kind) {
    case "memory":
      return new MemoryStore({ logger: storeLogger });
    case "redis":
      return new IoRedisStore({
        url: config.url,
        commandTimeoutMs: timeoutMs,
        logger: storeLogger,
      });
    case "redis-cluster":
      return clusterStore(config, timeoutMs, storeLogger);
    case "upstash":
      return new UpstashStore({
        url: config.url,
        token: config.token,
        timeoutMs,
        logger: storeLogger,
      });
  }
}

function clusterStore(
  config: Extract<StoreConfig, { kind: "redis-cluster" }>,
  timeoutMs: number,
  logger: Logger,
): SessionStore {
  const options = failFastClusterOptions({ commandTimeoutMs: timeoutMs });
  const cluster = new Cluster(config.nodes, {
    ...options,
    redisOptions: {
      ...options.redisOptions,
      ...(config.username ? { username: config.username } : {}),
      ...(config.password ? { password: config.password } : {}),
      ...(config.tls ? { tls: {} } : {}),
    },
  });
  // The store leaves a client it was given open and unwatched: watch and close it here.
  let down = false;
  cluster.on("error", (error: unknown) => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, "Redis Cluster error; store calls fail fast");
  });
  cluster.on("ready", () => {
    down = false;
  });
  const store = new IoRedisStore({ client: cluster, logger });
  return {
    read: (key, limit) => store.read(key, limit),
    replace: (key, items, ttlSeconds) => store.replace(key, items, ttlSeconds),
    append: (key, items, options) => store.append(key, items, options),
    fork: (parentKey, childKeys, newItems, options) =>
      store.fork(parentKey, childKeys, newItems, options),
    pop: (key) => store.pop(key),
    clear: (key) => store.clear(key),
    async close() {
      await store.close();
      cluster.disconnect();
    },
  };
}

/** A one-line description for the start-up log (never a credential). */
export function describeStore(config: StoreConfig): string {
  switch (config.kind) {
    case "memory":
      return "memory (this process; history is lost on restart)";
    case "redis":
      return `redis ${hostOf(config.url)}`;
    case "redis-cluster":
      return `redis cluster ${config.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
    case "upstash":
      return `upstash ${hostOf(config.url)}`;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "?";
  }
}
