import { MemoryStore, type SessionStore, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { RedisServer } from "@agents-memory/test-servers/redis";
import { redisRawAccess } from "@agents-memory/test-servers/redis-raw";
import { startRedisWithReader, startResponsesRunner } from "@agents-memory/test-servers/testing";
import { startUpstashServer, type UpstashServer } from "@agents-memory/test-servers/upstash";
import type { Runner } from "@openai/agents";
import { Redis as UpstashRedis } from "@upstash/redis";
import type { Redis as IoRedis } from "ioredis";
import { Redis as FloorRedis } from "upstash-redis-floor";
import { UpstashStore, type UpstashStoreOptions } from "../../src";

/** A real redis-server, the local Upstash-protocol server in front of it, and a raw reader. */
export interface Backend {
  redis: RedisServer;
  upstash: UpstashServer;
  /** A plain ioredis client straight to Redis: the independent reader. */
  direct: IoRedis;
  raw: ReturnType<typeof redisRawAccess>;
  stop(): Promise<void>;
}

/** Starts a {@link Backend}; the test file calls its `stop()` after all. */
export async function startBackend(): Promise<Backend> {
  const { server: redis, raw: direct, stop } = await startRedisWithReader();
  const upstash = await startUpstashServer({ redisPort: redis.port });
  return {
    redis,
    upstash,
    direct,
    raw: redisRawAccess(direct),
    async stop() {
      await upstash.close();
      await stop();
    },
  };
}

/** Options the tests pass to a store, besides how it gets its client. */
type StoreOptions = Omit<UpstashStoreOptions, "client" | "url" | "token">;

/** One way a user gets a store: the store builds the client, or the caller does. */
export interface Flavor {
  name: string;
  make(backend: { url: string; token: string }, options?: StoreOptions): UpstashStore;
}

export const flavors: Flavor[] = [
  {
    name: "the client the store built from url and token",
    make: ({ url, token }, options = {}) =>
      new UpstashStore({ logger: silentLogger, ...options, url, token }),
  },
  {
    // Every default on: auto-pipelining, automatic deserialization, 5 retries, telemetry.
    // The store must not care (it only warns about the retries).
    name: "a caller's client with the @upstash/redis defaults (1.39)",
    make: ({ url, token }, options = {}) =>
      new UpstashStore({
        logger: silentLogger,
        ...options,
        client: new UpstashRedis({ url, token }),
      }),
  },
  {
    name: "a caller's client of the oldest supported version (1.35.1), retries off",
    make: ({ url, token }, options = {}) =>
      new UpstashStore({
        logger: silentLogger,
        ...options,
        client: new FloorRedis({ url, token, retry: { retries: 0, backoff: () => 0 } }) as never,
      }),
  },
];

let counter = 0;
/** A fresh key prefix per test. */
export const prefix = (name = "t") => `am-up:${process.pid}:${name}:${++counter}:`;

/**
 * One store of each kind over the backend, for the end-to-end tests that run on all three:
 * MemoryStore, IoRedisStore (straight to the Redis behind Upstash) and UpstashStore.
 */
export function everyStore(backend: Backend): NamedStore[] {
  return [
    { name: "MemoryStore", store: new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger }) },
    {
      name: "IoRedisStore",
      store: new IoRedisStore({ url: backend.redis.url, logger: silentLogger }),
    },
    {
      name: "UpstashStore",
      store: new UpstashStore({
        url: backend.upstash.url,
        token: backend.upstash.token,
        logger: silentLogger,
      }),
    },
  ];
}

/** A store of one kind, named for the test titles. */
export interface NamedStore {
  name: string;
  store: SessionStore;
}

/** What {@link startEndToEnd} started. */
export interface EndToEnd {
  backend: Backend;
  /** The local Responses API server the runner talks to. */
  model: ResponsesServer;
  /** The SDK's `Runner` against `model`. */
  runner: Runner;
  stores: NamedStore[];
  /** Closes the stores, then stops the Responses server and the backend. */
  close(): Promise<void>;
}

/**
 * Starts the backend and the local Responses API server with a `Runner` against it (see
 * `startResponsesRunner`; `env` points the OpenAI environment at it too), and builds the
 * stores over the backend (`stores`, default {@link everyStore}), for the tests that run the
 * real SDK on every store. The test file calls `close()` after all.
 */
export async function startEndToEnd(
  options: { env?: boolean; stores?: (backend: Backend) => NamedStore[] } = {},
): Promise<EndToEnd> {
  const backend = await startBackend();
  const { server: model, runner } = await startResponsesRunner({ env: options.env });
  const stores = (options.stores ?? everyStore)(backend);
  return {
    backend,
    model,
    runner,
    stores,
    async close() {
      for (const { store } of stores) await store.close?.();
      await model.close();
      await backend.stop();
    },
  };
}
