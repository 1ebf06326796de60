import { MemoryStore, type SessionStore } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { UpstashStore } from "@agents-memory/upstash";
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
    case "redis-cluster":
      // The store builds and owns the client: a Cluster for redis+cluster:// URLs.
      return new IoRedisStore({
        url: config.url,
        commandTimeoutMs: timeoutMs,
        logger: storeLogger,
      });
    case "upstash":
      return new UpstashStore({
        url: config.url,
        token: config.token,
        timeoutMs,
        logger: storeLogger,
      });
  }
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
