import type { AgentInputItem } from "@openai/agents";
import { describeValue } from "../describe-value";
import { assertTimeoutMs, type OnStoreError } from "../guard";
import type { MemoryLogger } from "../logger";
import { assertMaxItems, assertTtlSeconds, type FilterPolicy, type TokenCounter } from "../policy";
import { assertHistoryKey, assertKnownOptions, optionNames, type SessionStore } from "../store";
import type { SdkLogger } from "./sdk-logger";
import type { SummaryOptions } from "./summary";

/**
 * Options of {@link StoreSession}: `store` is required; the rest default to the SDK's
 * `MemorySession` behaviour (every item kept, no expiry, nothing filtered, failures reject).
 */
export interface StoreSessionOptions {
  /** Where the history lives: `MemoryStore`, `IoRedisStore`, `UpstashStore` or your own. */
  store: SessionStore;
  /**
   * The session's id, as in the SDK's `MemorySession`; the store key is `keyPrefix + sessionId`.
   * Default: a random UUID (a durable session wants a stable one: per user, per thread…).
   */
  sessionId?: string;
  /** @deprecated Use `sessionId` (with `keyPrefix`): `key` is taken as the whole store key. */
  key?: string;
  /** Prepended to `sessionId` to make the store key. Default `""`. */
  keyPrefix?: string;
  /**
   * Items the session starts with, as `MemorySession`'s. Written once, before the first call,
   * when the session has no history yet (recorded as an operation where the store has
   * `transact`, so a restarted process never writes them twice).
   */
  initialItems?: AgentInputItem[];
  /** Newest items kept (a pair-safe window, see the README). Default: all, as `MemorySession`. */
  maxItems?: number;
  /**
   * Most tokens the window holds, beside `maxItems` (the tighter wins; pair-safe, the newest
   * items that fit). Each item is counted once, when written, and its count stored with it; a
   * read never tokenizes what was counted. Default: none.
   */
  maxTokens?: number;
  /**
   * Counts an item's tokens for `maxTokens` (a non-negative integer). Default: the o200k
   * encoding (GPT-4o, GPT-4.1, o-series, GPT-5) through `gpt-tokenizer`, see `countItemTokens`.
   */
  tokenCounter?: TokenCounter;
  /**
   * Opt-in: a summary of what falls out of the window (`maxItems`/`maxTokens`), kept at its
   * head, so a long conversation keeps its beginning. `{ model | agent, instructions?,
   * everyTurns? = 10, timeoutMs? = 30000, runner?, onError? }`; see `SummaryOptions`. The store
   * keeps the items that left the window until they are summarised; the summariser runs in the
   * background after a write (`flushSummary()` awaits it). Needs a store with `transact`.
   * Default: none (items out of the window are dropped).
   */
  summary?: SummaryOptions;
  /** TTL set on every write, in seconds. Default: none, as `MemorySession`. */
  ttlSeconds?: number;
  /** Items that never enter memory. Default: none dropped, as `MemorySession`. */
  filter?: FilterPolicy;
  /**
   * What a store failure does. `"reject"` (default, the SDK's norm): every method rejects with
   * the `StoreError`. `"degrade"`: a read gives no history and a write is skipped, both reported
   * (the run goes on without memory); `popItem` and `clearSession` still reject.
   */
  failureMode?: "reject" | "degrade";
  /** Budget for each store call, in ms. Default 2000. */
  timeoutMs?: number;
  /** The SDK's `Logger` (`getLogger()`); a pino-style `(fields, message)` logger works too. Default: `getLogger("agents-memory")`. */
  logger?: SdkLogger | MemoryLogger;
  /** Called on every store failure with the operation, the key and the error. */
  onStoreError?: OnStoreError;
}

/** Every name of {@link StoreSessionOptions}: any other is refused. */
export const STORE_SESSION_OPTION_NAMES = optionNames<StoreSessionOptions>({
  store: true,
  sessionId: true,
  key: true,
  keyPrefix: true,
  initialItems: true,
  maxItems: true,
  maxTokens: true,
  tokenCounter: true,
  summary: true,
  ttlSeconds: true,
  filter: true,
  failureMode: true,
  timeoutMs: true,
  logger: true,
  onStoreError: true,
});

/**
 * Default budget for one store call of a {@link StoreSession}, in ms. The runner waits for
 * every call, reads and writes: a cold write between continents (TCP, TLS, the server's clock,
 * the call: 4 round trips of ~140 ms) fits it with room to spare (see the core README).
 */
export const DEFAULT_STORE_SESSION_TIMEOUT_MS = 2000;

/**
 * The checks of `new StoreSession(options)`, and what they settle: the store, the session id,
 * the store key and the budget.
 * @throws TypeError or RangeError naming the first bad option (unknown ones all at once).
 */
export function checkStoreSessionOptions(options: StoreSessionOptions): {
  store: SessionStore;
  sessionId: string;
  key: string;
  timeoutMs: number;
} {
  if (!options || typeof options !== "object") {
    throw new TypeError("[agents-memory] StoreSession options are required");
  }
  assertKnownOptions(options, STORE_SESSION_OPTION_NAMES, { where: "StoreSession" });
  const store = options.store as SessionStore;
  if (!store || typeof store.read !== "function" || typeof store.append !== "function") {
    throw new TypeError("[agents-memory] options.store must be a SessionStore");
  }
  if (
    options.key !== undefined &&
    options.sessionId !== undefined &&
    options.key !== options.sessionId
  ) {
    throw new TypeError("[agents-memory] pass sessionId (or the deprecated key), not both");
  }
  const prefix = options.keyPrefix ?? "";
  if (typeof prefix !== "string") throw new TypeError("[agents-memory] keyPrefix must be a string");
  const sessionId = options.sessionId ?? options.key ?? globalThis.crypto.randomUUID();
  if (typeof sessionId !== "string" || sessionId.length === 0) {
    throw new TypeError("[agents-memory] sessionId must be a non-empty string");
  }
  const key = options.key ?? prefix + sessionId;
  assertHistoryKey(key);
  if (options.maxItems !== undefined) assertMaxItems(options.maxItems);
  if (options.ttlSeconds !== undefined) assertTtlSeconds(options.ttlSeconds);
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_SESSION_TIMEOUT_MS;
  assertTimeoutMs(timeoutMs);
  if (options.failureMode !== undefined && !["reject", "degrade"].includes(options.failureMode)) {
    throw new TypeError(
      `[agents-memory] failureMode must be "reject" or "degrade", got ${describeValue(options.failureMode)}`,
    );
  }
  if (options.initialItems !== undefined && !Array.isArray(options.initialItems)) {
    throw new TypeError("[agents-memory] initialItems must be an array of items");
  }
  return { store, sessionId, key, timeoutMs };
}
