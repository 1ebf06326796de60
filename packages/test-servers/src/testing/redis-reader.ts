import { Redis } from "ioredis";
import { type RedisServer, type RedisServerOptions, startRedisServer } from "../redis";

/** A redis-server and an independent reader of it. */
export interface RedisWithReader {
  server: RedisServer;
  /**
   * A plain ioredis client straight to `server`, apart from any store under test: it queues and
   * reconnects by itself, and its connection errors are ignored (a test may kill the server).
   */
  raw: Redis;
  /** Disconnects `raw`, then stops the server. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server (with `options`, e.g. `args`) and a raw client to it, for tests that
 * check what a store really wrote. The test file calls `stop()` after all.
 */
export async function startRedisWithReader(
  options: RedisServerOptions = {},
): Promise<RedisWithReader> {
  const server = await startRedisServer(options);
  const raw = new Redis(server.url);
  raw.on("error", () => {});
  return {
    server,
    raw,
    async stop() {
      raw.disconnect();
      await server.stop();
    },
  };
}
