import { MemoryStore, type SessionStore, silentLogger } from "@agents-memory/core";
import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { startResponsesRunner } from "@agents-memory/test-servers/testing";
import type { Runner } from "@openai/agents";
import { IoRedisStore } from "../../src";

/** A store one test makes for itself, and how it lets go of it. */
export interface MadeStore {
  name: string;
  make(): { store: SessionStore; close(): Promise<void> };
}

/** What {@link startEndToEnd} started. */
export interface EndToEnd {
  /** The local Responses API server the runner talks to. */
  model: ResponsesServer;
  /** The SDK's `Runner` against `model`. */
  runner: Runner;
  /** MemoryStore, and IoRedisStore on a real redis-server: a fresh store per `make()`. */
  stores: MadeStore[];
  /** Stops the Responses server and the redis-server. */
  close(): Promise<void>;
}

/**
 * Starts a redis-server and the local Responses API server with a `Runner` against it (see
 * `startResponsesRunner`; `env` points the OpenAI environment at it too), for the tests that
 * run the real SDK over both MemoryStore and IoRedisStore. Each test closes the stores it
 * makes; the test file calls `close()` after all.
 */
export async function startEndToEnd(options: { env?: boolean } = {}): Promise<EndToEnd> {
  const redis = await startRedisServer();
  const { server: model, runner } = await startResponsesRunner(options);
  const stores: MadeStore[] = [
    {
      name: "MemoryStore",
      make: () => {
        const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
        return { store, close: async () => {} };
      },
    },
    {
      name: "IoRedisStore (redis-server)",
      make: () => {
        const store = new IoRedisStore({ url: redis.url, logger: silentLogger });
        return { store, close: () => store.close() };
      },
    },
  ];
  return {
    model,
    runner,
    stores,
    async close() {
      await model.close();
      await redis.stop();
    },
  };
}
