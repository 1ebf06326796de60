import { sha1Hex } from "../store/fingerprint";
import type { RedisArgument, RedisCommands } from "./commands";
import { REDIS_LUA } from "./lua";

/** A Lua script of the layout, with its SHA-1 computed once, on first use. */
export interface RedisScript {
  /** The script's name in {@link REDIS_LUA}. */
  readonly name: keyof typeof REDIS_LUA;
  /** The Lua source, as sent by EVAL. */
  readonly lua: string;
  /** The source's SHA-1 in lowercase hex, as EVALSHA takes it. */
  sha(): Promise<string>;
}

function script(name: keyof typeof REDIS_LUA): RedisScript {
  let sha: Promise<string> | undefined;
  const lua = REDIS_LUA[name];
  return { name, lua, sha: () => (sha ??= sha1Hex(lua)) };
}

/** Every script of the layout, by operation. */
export const REDIS_SCRIPTS: Readonly<Record<keyof typeof REDIS_LUA, RedisScript>> = Object.freeze({
  read: script("read"),
  write: script("write"),
  append: script("append"),
  forkCopy: script("forkCopy"),
  readChain: script("readChain"),
  forkChain: script("forkChain"),
  pop: script("pop"),
  clear: script("clear"),
  transact: script("transact"),
  replaceFunctionCall: script("replaceFunctionCall"),
  claim: script("claim"),
  renewClaim: script("renewClaim"),
  finishClaim: script("finishClaim"),
  releaseClaim: script("releaseClaim"),
  usageAdd: script("usageAdd"),
  usageRead: script("usageRead"),
});

/** True when a reply error is NOSCRIPT (the server does not hold the script yet). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && /\bNOSCRIPT\b/.test(error.message);
}

/**
 * Runs a script: with EVAL when the server is not known to hold it (`commands.loadedScripts`
 * lacks it: a cold process pays one round trip, not EVALSHA, NOSCRIPT, EVAL), else with
 * EVALSHA, falling back to EVAL (which also caches it) when the server answers NOSCRIPT: a
 * restarted or flushed server, or a Cluster node seen for the first time. NOSCRIPT means
 * nothing ran, so the fallback never applies a write twice.
 */
export async function runScript(
  commands: RedisCommands,
  script: RedisScript,
  keys: readonly string[],
  args: readonly RedisArgument[],
): Promise<unknown> {
  const sha = await script.sha();
  const loaded = commands.loadedScripts;
  if (loaded && !loaded.has(sha)) return evalWhole(commands, script, sha, keys, args);
  try {
    return await commands.evalsha(sha, keys, args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    loaded?.delete(sha);
    return evalWhole(commands, script, sha, keys, args);
  }
}

async function evalWhole(
  commands: RedisCommands,
  script: RedisScript,
  sha: string,
  keys: readonly string[],
  args: readonly RedisArgument[],
): Promise<unknown> {
  const reply = await commands.eval(script.lua, keys, args);
  commands.loadedScripts?.add(sha);
  return reply;
}
