import { sha1Hex } from "../store/fingerprint";
import type { RedisArgument, RedisCommands } from "./commands";
import { REDIS_LUA } from "./lua";
import { KEY_LOCKED_LINE } from "./scripts/chain";

/** One body of a script, with its SHA-1 computed once, on first use. */
export interface RedisScriptBody {
  /** The Lua source, as sent by EVAL. */
  readonly lua: string;
  /** The source's SHA-1 in lowercase hex, as EVALSHA takes it. */
  sha(): Promise<string>;
}

/** A Lua script of the layout. */
export interface RedisScript extends RedisScriptBody {
  /** The script's name in {@link REDIS_LUA}. */
  readonly name: keyof typeof REDIS_LUA;
  /**
   * The same script with Upstash's `allow-key-locking` shebang flag, for a script that
   * touches only the keys it declares (see {@link KEY_LOCKING_SCRIPTS}); run where
   * `RedisCommands.keyLocking` is set. Redis 7 refuses the flag, so it is a body of its own.
   */
  readonly keyLocking?: RedisScriptBody;
}

/**
 * The scripts that touch only the keys they declare in KEYS, so Upstash may lock just those
 * (`allow-key-locking`) instead of the whole database. FORK_CHAIN declares the keys its read
 * walked. The changes in place (APPEND, POP, TRANSACT, REPLACE_FUNCTION_CALL) do too, but on a
 * key that links to its parent, which they rewrite as its whole history reading its ancestors
 * (`flatten`): there the flagged script refuses with KEYLOCKED before any write and
 * {@link runScript} runs it again without the flag. READ_CHAIN is never flagged: it finds a
 * reply's ancestors as it walks.
 */
export const KEY_LOCKING_SCRIPTS: ReadonlySet<keyof typeof REDIS_LUA> = new Set([
  "read",
  "write",
  "forkCopy",
  "forkChain",
  "append",
  "pop",
  "transact",
  "replaceFunctionCall",
  "clear",
  "claim",
  "renewClaim",
  "finishClaim",
  "releaseClaim",
  "usageAdd",
  "usageRead",
] as const);

/** Upstash's shebang line for a script that locks only its declared keys. */
export const KEY_LOCKING_SHEBANG = "#!lua flags=allow-key-locking";

function body(lua: string): RedisScriptBody {
  let sha: Promise<string> | undefined;
  return { lua, sha: () => (sha ??= sha1Hex(lua)) };
}

function script(name: keyof typeof REDIS_LUA): RedisScript {
  const lua = REDIS_LUA[name];
  const keyLocking = KEY_LOCKING_SCRIPTS.has(name)
    ? body(`${KEY_LOCKING_SHEBANG}\n${lua.replace(KEY_LOCKED_LINE, "local KEY_LOCKED = true")}`)
    : undefined;
  return { name, ...body(lua), ...(keyLocking ? { keyLocking } : {}) };
}

/** Every script of the layout, by operation. */
export const REDIS_SCRIPTS: Readonly<Record<keyof typeof REDIS_LUA, RedisScript>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(REDIS_LUA) as (keyof typeof REDIS_LUA)[]).map((name) => [name, script(name)]),
  ) as Record<keyof typeof REDIS_LUA, RedisScript>,
);

/** True when a reply error is NOSCRIPT (the server does not hold the script yet). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && /\bNOSCRIPT\b/.test(error.message);
}

/**
 * Runs a script: with EVAL when the server is not known to hold it (`commands.loadedScripts`
 * lacks it: a cold process pays one round trip, not EVALSHA, NOSCRIPT, EVAL), else with
 * EVALSHA, falling back to EVAL (which also caches it) when the server answers NOSCRIPT: a
 * restarted or flushed server, or a Cluster node seen for the first time. NOSCRIPT means
 * nothing ran, so the fallback never applies a write twice. Where `commands.keyLocking` is set
 * (Upstash), a script that declares every key it touches runs with the `allow-key-locking` flag.
 */
export async function runScript(
  commands: RedisCommands,
  named: RedisScript,
  keys: readonly string[],
  args: readonly RedisArgument[],
): Promise<unknown> {
  if (commands.keyLocking && named.keyLocking) {
    try {
      return await runBody(commands, named.keyLocking, keys, args);
    } catch (error) {
      // Refused before any write (see KEY_LOCKED_LINE): run it under the global lock. The
      // server ran the flagged script, so it holds it.
      if (!(error instanceof Error && /\bKEYLOCKED\b/.test(error.message))) throw error;
      commands.loadedScripts?.add(await named.keyLocking.sha());
    }
  }
  return runBody(commands, named, keys, args);
}

async function runBody(
  commands: RedisCommands,
  script: RedisScriptBody,
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
  script: RedisScriptBody,
  sha: string,
  keys: readonly string[],
  args: readonly RedisArgument[],
): Promise<unknown> {
  const reply = await commands.eval(script.lua, keys, args);
  commands.loadedScripts?.add(sha);
  return reply;
}
