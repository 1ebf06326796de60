import { LAYOUT_OPTION_NAMES, type RedisLayoutStoreOptions } from "@agents-memory/core/redis";
import { describeValue, optionNames, urlParseProblem } from "@agents-memory/core/store";
import type { ClusterOptions, RedisOptions } from "ioredis";
import type { ClusterNode } from "./cluster-url";
import { defaultFailFastSettings, type IoRedisClient } from "./fail-fast";

/**
 * Options of `IoRedisStore`: a `client` you built, or a `url` (or `REDIS_URL`), `redisOptions`
 * or `clusterNodes` from which the store builds and owns a fail-fast client; every other option
 * has a default ({@link defaultOptions}). `keyPrefix`, `legacyStrings`, `layout` and `logger`
 * are the Redis layout's own (`RedisLayoutStoreOptions` in `@agents-memory/core/redis`).
 */
export interface IoRedisStoreOptions extends RedisLayoutStoreOptions {
  /**
   * A client you built (`Redis` or `Cluster`). You own it: `close()` leaves it open. Build it
   * with `failFastRedisOptions()` / `failFastClusterOptions()`, or the store warns. Its own
   * `keyPrefix` is honoured (links name their parent with it).
   */
  client?: IoRedisClient;
  /**
   * `redis://` or `rediss://` (one node), or `redis+cluster://[user:password@]host:port,host:port`
   * / `rediss+cluster://…` (a Redis Cluster: the store builds a `Cluster` client on those seed
   * nodes). Env fallback: `REDIS_URL`.
   */
  url?: string;
  /** Seed nodes of a Redis Cluster, instead of a `redis+cluster://` URL. */
  clusterNodes?: ClusterNode[];
  /**
   * Extra ioredis options for the client the store builds (host, port, tls, password, db, …);
   * on a Cluster, each node connection's options.
   */
  redisOptions?: RedisOptions;
  /** Extra ioredis `Cluster` options, when the store builds a Cluster client. */
  clusterOptions?: Omit<ClusterOptions, "redisOptions">;
  /** Longest wait for one command's reply, in ms (store-built client only). Default 1000. */
  commandTimeoutMs?: number;
  /** Longest wait for a connection, in ms: the TCP connect and the first call's wait. Default 1000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff cap, in ms (store-built client only). Default 2000. */
  maxReconnectDelayMs?: number;
}

/** Every name of {@link IoRedisStoreOptions}: any other is refused. */
export const IOREDIS_STORE_OPTION_NAMES: readonly string[] = [
  ...LAYOUT_OPTION_NAMES,
  ...optionNames<Omit<IoRedisStoreOptions, keyof RedisLayoutStoreOptions>>({
    client: true,
    url: true,
    clusterNodes: true,
    redisOptions: true,
    clusterOptions: true,
    commandTimeoutMs: true,
    connectTimeoutMs: true,
    maxReconnectDelayMs: true,
  }),
];

/** The defaults of {@link IoRedisStoreOptions}: no key prefix, {@link defaultFailFastSettings}. */
export const defaultOptions = Object.freeze({
  /** No prefix: keys are stored exactly as the sessions name them. */
  keyPrefix: "",
  ...defaultFailFastSettings,
});

/**
 * A `redis://` or `rediss://` URL with a host. ioredis reads any other string as a socket path
 * (`reddis://:pw@h` -> connect ENOENT, quoting the password, retried forever). The message
 * never quotes the value: it may hold a password.
 */
export function assertRedisUrl(url: unknown, name: string): void {
  if (typeof url !== "string") {
    throw new TypeError(
      `[agents-memory] [ioredis] ${name} must be a redis:// or rediss:// URL, got ${describeValue(url)}`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(
      `[agents-memory] [ioredis] ${name} is not a usable URL: ${urlParseProblem(url)} (expected redis://[user:password@]host:port[/db] or rediss://…)`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TypeError(
      `[agents-memory] [ioredis] ${name} must be a redis:// or rediss:// URL, not ${JSON.stringify(parsed.protocol.slice(0, 20))}`,
    );
  }
  if (!parsed.hostname) {
    throw new TypeError(`[agents-memory] [ioredis] ${name} names no host`);
  }
}
