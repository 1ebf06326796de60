/** One argument of a Redis command: text or a number. */
export type RedisArgument = string | number;

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
  /** `LRANGE key start stop`; elements as strings. */
  lrange(key: string, start: number, stop: number): Promise<unknown>;
  /**
   * The server's clock in ms since the epoch (`TIME`: seconds * 1000 + microseconds / 1000).
   * On a Cluster, the earliest of its masters' clocks (a deadline mapped with it holds on any).
   */
  time(): Promise<number>;
  /**
   * The SHA-1s of the scripts this connection's server is known to hold (it ran them), kept
   * by the adapter for as long as it talks to the same server. With it, a script not known
   * there is sent whole (EVAL: one round trip) instead of EVALSHA, NOSCRIPT, EVAL (two).
   * Without it, every script call starts with EVALSHA.
   */
  readonly loadedScripts?: Set<string>;
  /**
   * True on Upstash: a script that touches only the keys it declares is sent with the
   * `allow-key-locking` shebang flag, so it locks those keys instead of the whole database
   * (see `KEY_LOCKING_SCRIPTS`). Redis refuses the flag: leave it unset there.
   */
  readonly keyLocking?: boolean;
}

/** `TIME`'s reply, `[seconds, microseconds]` as strings or numbers, in ms since the epoch. */
export function timeReplyMs(reply: unknown): number {
  if (!Array.isArray(reply) || reply.length < 2) {
    throw new Error(`unexpected TIME reply: ${JSON.stringify(reply)}`);
  }
  const ms = Number(reply[0]) * 1000 + Math.floor(Number(reply[1]) / 1000);
  if (!Number.isFinite(ms)) throw new Error(`unexpected TIME reply: ${JSON.stringify(reply)}`);
  return ms;
}
