import { describeCause, type MemoryLogger } from "../logger";

/*
 * How Redis-protocol servers refuse a shape the layout relies on, recognised by the text of
 * their error replies (every server and client keeps the server's text in the message).
 */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A script touched a key it did not declare in KEYS and the server refused it: Dragonfly's
 * default ("script tried accessing undeclared key", unless started with
 * `--default_lua_flags=allow-undeclared-keys`), and proxies that route scripts by their keys.
 * The chained layout's walk reads a reply's ancestors that way.
 */
export function refusesUndeclaredKeys(error: unknown): boolean {
  return /tried accessing undeclared key|access(?:ing)? (?:an )?undeclared key/i.test(
    messageOf(error),
  );
}

/**
 * A script wrote after reading TIME and the server refused it: Redis before 5 without effects
 * replication ("Write commands not allowed after non deterministic commands"), and engines
 * that want deterministic scripts. The write fence reads TIME before writing.
 */
export function refusesWriteAfterTime(error: unknown): boolean {
  return /Write commands not allowed after non deterministic commands/i.test(messageOf(error));
}

/** The server is in cluster mode and the client is not a Cluster client (CROSSSLOT, MOVED, ASK). */
export function refusesForClusterMode(error: unknown): boolean {
  return /\bCROSSSLOT\b|\bMOVED \d+ |\bASK \d+ /.test(messageOf(error));
}

/**
 * The server refused the credentials: Redis WRONGPASS / NOAUTH / NOPERM, Upstash's 401
 * ("Unauthorized", reported by the upstash store as "rejected the token").
 */
export function refusesCredentials(error: unknown): boolean {
  return /\bWRONGPASS\b|\bNOAUTH\b|\bNOPERM\b|\bUnauthorized\b|rejected the token/i.test(
    messageOf(error),
  );
}

/**
 * What a store learned its server refuses, adapted to from then on: each refusal is noted and
 * warned about once (the warnings are kept for the start-up check's report).
 */
export class ServerRefusals {
  /** The server refused a script touching undeclared keys: the copy layout from now on. */
  undeclaredKeys = false;
  /** The server refused a write after TIME in a script: writes go without the fence. */
  writeAfterTime = false;
  /** Every warning given, oldest first. */
  readonly warnings: string[] = [];
  readonly #store: string;
  readonly #logger: MemoryLogger;

  constructor(store: string, logger: MemoryLogger) {
    this.#store = store;
    this.#logger = logger;
  }

  /** True when `error` is that refusal (see {@link refusesUndeclaredKeys}); noted, warned once. */
  noteUndeclaredKeys(error: unknown): boolean {
    if (!refusesUndeclaredKeys(error)) return false;
    if (!this.undeclaredKeys) {
      this.undeclaredKeys = true;
      this.#warn(
        "layout",
        error,
        'the server refuses scripts that touch keys they do not declare (Dragonfly\'s default, some proxies): the store uses the "copy" layout from now on (each reply key holds its whole window); on Dragonfly, --default_lua_flags=allow-undeclared-keys allows the chained layout',
      );
    }
    return true;
  }

  /** True when `error` is that refusal (see {@link refusesWriteAfterTime}); noted, warned once. */
  noteWriteAfterTime(error: unknown): boolean {
    if (!refusesWriteAfterTime(error)) return false;
    if (!this.writeAfterTime) {
      this.writeAfterTime = true;
      this.#warn(
        "fence",
        error,
        "the server refuses a write after TIME in a script (Redis before 5, or an engine that wants deterministic scripts): writes now go without the deadline fence, so a write reported failed (timed out) may still land later; a write reported done is done",
      );
    }
    return true;
  }

  #warn(adapted: "fence" | "layout", error: unknown, message: string): void {
    this.warnings.push(message);
    this.#logger.warn({ store: this.#store, adapted, cause: describeCause(error) }, message);
  }
}
