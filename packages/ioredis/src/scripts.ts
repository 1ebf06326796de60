import { createHash } from "node:crypto";
import { REDIS_LUA } from "@agents-memory/core";
import type { IoRedisClient } from "./connection";

/**
 * The Lua scripts behind every write (and the legacy read), from core's `REDIS_LUA` so this
 * store and `@agents-memory/upstash` share one layout. Each runs as one EVALSHA (one round
 * trip, atomic on the server). Every script but FORK_COPY touches exactly one key, so it is
 * slot-safe on Redis Cluster; the store never sends FORK_COPY to a Cluster.
 */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, body: string): LuaScript {
  return { name, lua: body, sha: createHash("sha1").update(body).digest("hex") };
}

export const READ = script("read", REDIS_LUA.read);

export const WRITE = script("write", REDIS_LUA.write);

export const APPEND = script("append", REDIS_LUA.append);

export const FORK_COPY = script("fork_copy", REDIS_LUA.forkCopy);

export const POP = script("pop", REDIS_LUA.pop);

/** Every script by the name core's layout operations use. */
export const SCRIPTS = { read: READ, write: WRITE, append: APPEND, forkCopy: FORK_COPY, pop: POP };

/**
 * Runs a script with EVALSHA, falling back to EVAL (which also caches it) when the server
 * answers NOSCRIPT: a fresh or restarted server, or a Cluster node seen for the first time.
 * NOSCRIPT means nothing ran, so the fallback never applies a write twice.
 */
export async function runScript(
  client: IoRedisClient,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly (string | number | Uint8Array)[],
): Promise<unknown> {
  const sent = args.map(asArgument);
  try {
    return await client.evalsha(lua.sha, keys.length, ...keys, ...sent);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return await client.eval(lua.lua, keys.length, ...keys, ...sent);
  }
}

/** ioredis sends a Buffer's bytes as they are, but any other Uint8Array as `String(array)`. */
function asArgument(arg: string | number | Uint8Array): string | number | Buffer {
  if (!(arg instanceof Uint8Array) || Buffer.isBuffer(arg)) return arg as string | number | Buffer;
  return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
}
