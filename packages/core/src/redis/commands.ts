/** One argument of a Redis command: text, a number, or bytes sent as they are. */
export type RedisArgument = string | number | Uint8Array;

/**
 * The few Redis commands the layout needs, as each adapter's client sends them (ioredis over
 * RESP, `@upstash/redis` over REST). Every method is one round trip; a reply error rejects with
 * an `Error` whose message starts with the server's error code (`NOSCRIPT …`, `WRONGTYPE …`).
 */
export interface RedisCommands {
  /** `EVALSHA sha numkeys ...keys ...args`. */
  evalsha(sha: string, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown>;
  /** `EVAL script numkeys ...keys ...args` (the server caches the script for EVALSHA). */
  eval(script: string, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown>;
  /** `LRANGE key start stop`; elements as strings or as their bytes (see `StoredElement`). */
  lrange(key: string, start: number, stop: number): Promise<unknown>;
  /** `DEL key`. */
  del(key: string): Promise<unknown>;
}
