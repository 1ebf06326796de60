import { REDIS_LUA, sha1Hex } from "@agents-memory/core";

/**
 * The Lua scripts behind every write (and the legacy read), from core's `REDIS_LUA`: the
 * same layout as `@agents-memory/ioredis`, so either store reads what the other wrote. Each
 * runs as one EVALSHA: one HTTP request, atomic on the server.
 */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  /** The script's SHA-1 (WebCrypto, so it runs on edge runtimes too), computed once. */
  sha(): Promise<string>;
}

function script(name: string, body: string): LuaScript {
  let sha: Promise<string> | undefined;
  return { name, lua: body, sha: () => (sha ??= sha1Hex(body)) };
}

export const READ = script("read", REDIS_LUA.read);

export const WRITE = script("write", REDIS_LUA.write);

export const APPEND = script("append", REDIS_LUA.append);

export const FORK_COPY = script("fork_copy", REDIS_LUA.forkCopy);

export const POP = script("pop", REDIS_LUA.pop);

/** Every script by the name core's layout operations use. */
export const SCRIPTS = { read: READ, write: WRITE, append: APPEND, forkCopy: FORK_COPY, pop: POP };

/** Sends one command (one HTTP request) and resolves with its result. */
export type Send = (command: (string | number)[]) => Promise<unknown>;

/**
 * Runs a script with EVALSHA, falling back to EVAL (which also caches it) when the server
 * answers NOSCRIPT: a fresh or flushed database. So a script costs two requests the first
 * time, one afterwards. NOSCRIPT means nothing ran, so the fallback never applies a write twice.
 */
export async function runScript(
  send: Send,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const sha = await lua.sha();
  try {
    return await send(["evalsha", sha, keys.length, ...keys, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return await send(["eval", lua.lua, keys.length, ...keys, ...args]);
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && /\bNOSCRIPT\b/i.test(error.message);
}
