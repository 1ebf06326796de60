import type { MemoryLogger } from "@agents-memory/core";
import type { RedisLayout } from "@agents-memory/core/redis";
import type { RedisOptions } from "ioredis";
import { defaultFailFastSettings, type IoRedisClient } from "./connection";

/**
 * Options of `IoRedisStore`: a `client` you built, or a `url` (or `REDIS_URL`) the store
 * connects to itself; every other option has a default ({@link defaultOptions}).
 */
export interface IoRedisStoreOptions {
  /**
   * A client you built (`Redis` or `Cluster`). You own it: `close()` leaves it open. Build it
   * with `failFastRedisOptions()` / `failFastClusterOptions()`, or the store warns.
   */
  client?: IoRedisClient;
  /** `redis://` or `rediss://` URL; the store builds and owns a fail-fast client. Env fallback: `REDIS_URL`. */
  url?: string;
  /** Extra ioredis options for the client the store builds (host, port, tls, password, db, …). */
  redisOptions?: RedisOptions;
  /** Prepended to every key the store is given. Default "" (the key exactly as given). */
  keyPrefix?: string;
  /**
   * Read a JSON array stored in a plain string (the Python bot's cache format) as its items;
   * the first write turns it into a list. Default true.
   */
  legacyStrings?: boolean;
  /**
   * How reply keys are stored: `"chain"` (each reply key holds a link to its parent and only
   * its turn's new items; a read walks the chain in one script call) or `"copy"` (each reply
   * key holds its whole window). Default `"chain"` on a single node; a Cluster always uses `"copy"`
   * (a chat's keys hash to different slots, so no script may walk from one to the next):
   * asking for `"chain"` with a Cluster client throws a TypeError.
   */
  layout?: RedisLayout;
  /** Longest wait for one command's reply, in ms (store-built client only). Default 200. */
  commandTimeoutMs?: number;
  /** Longest wait for a connection, in ms: the TCP connect and the first call's wait. Default 1000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff cap, in ms (store-built client only). Default 2000. */
  maxReconnectDelayMs?: number;
  /** Where warnings and connection errors go. Default: console (stderr). */
  logger?: MemoryLogger;
}

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
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url.trim()) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    throw new TypeError(
      `[agents-memory] [ioredis] ${name} must be a redis:// or rediss:// URL (the value is not a URL; not shown, it may hold a password)`,
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

/** A timeout or delay option: a positive, finite number of ms. */
export function assertPositiveMs(name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `[agents-memory] [ioredis] ${name} must be a positive number of ms, got ${String(value)}`,
    );
  }
}
