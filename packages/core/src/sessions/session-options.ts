import type { AgentInputItem } from "@openai/agents";
import {
  assertTimeoutMs,
  DEFAULT_READ_TIMEOUT_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
  type OnStoreError,
} from "../guard";
import { consoleLogger, type MemoryLogger } from "../logger";
import {
  assertMaxItems,
  assertTtlSeconds,
  compileFilter,
  type FilterPolicy,
  type TokenCounter,
} from "../policy";
import { optionNames, type SessionStore } from "../store";
import { type SessionTokens, sessionTokens } from "./token-budget";

/** Items kept per conversation (the Python bot's `max_cache_size`). */
export const DEFAULT_MAX_ITEMS = 50;
/** Seven days, in seconds. */
export const DEFAULT_TTL_SECONDS = 604_800;

/** The policies every session takes as plain values. */
export interface MemoryOptions {
  /** Where the history lives: `MemoryStore`, `IoRedisStore`, `UpstashStore` or your own. */
  store: SessionStore;
  /** Newest items kept. Default 50. */
  maxItems?: number;
  /**
   * Most tokens the history window holds, beside `maxItems` (the tighter wins; the window stays
   * pair-safe and keeps the newest items that fit). Each item is counted once, when written,
   * and its count stored with it. Default: none (windows by count only).
   */
  maxTokens?: number;
  /**
   * Counts an item's tokens for `maxTokens` (a non-negative integer). Default: the o200k
   * encoding (GPT-4o, GPT-4.1, o-series, GPT-5) through `gpt-tokenizer`, see `countItemTokens`.
   */
  tokenCounter?: TokenCounter;
  /** TTL set on every write, in seconds. Default 604 800 (7 days). */
  ttlSeconds?: number;
  /**
   * Budget for reading the history, in ms: the turn waits for it before the model call.
   * Default 1000 (a cold read between continents, twice over; see the core README).
   */
  timeoutMs?: number;
  /**
   * Budget for writing the new history (`persist`), in ms. The answer was sent before it, so
   * nobody waits for it. Default 3000.
   */
  persistTimeoutMs?: number;
  /** Which items never enter memory. Default: tool items and `__fake_id__`. */
  filter?: FilterPolicy;
  /** Where failures and skipped data are reported. Default: console (stderr). */
  logger?: MemoryLogger;
  /** Called on every store failure with the operation, the key and the error. */
  onStoreError?: OnStoreError;
}

/** Every name of {@link MemoryOptions}. */
export const MEMORY_OPTION_NAMES = optionNames<MemoryOptions>({
  store: true,
  maxItems: true,
  maxTokens: true,
  tokenCounter: true,
  ttlSeconds: true,
  timeoutMs: true,
  persistTimeoutMs: true,
  filter: true,
  logger: true,
  onStoreError: true,
});

export interface ResolvedMemoryOptions {
  store: SessionStore;
  maxItems: number;
  /** The token budget, when `maxTokens` is set. */
  tokens: SessionTokens | undefined;
  ttlSeconds: number;
  timeoutMs: number;
  persistTimeoutMs: number;
  keep: (item: AgentInputItem) => boolean;
  logger: MemoryLogger;
  onStoreError: OnStoreError | undefined;
}

/** The default policy, compiled once: a session is built per turn. */
const keepByDefault = compileFilter();

export function resolveMemoryOptions(options: MemoryOptions): ResolvedMemoryOptions {
  if (!options || typeof options !== "object") {
    throw new TypeError("[agents-memory] session options are required");
  }
  const { store } = options;
  if (!store || typeof store.read !== "function" || typeof store.fork !== "function") {
    throw new TypeError("[agents-memory] options.store must be a SessionStore");
  }
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const persistTimeoutMs = options.persistTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
  assertMaxItems(maxItems);
  assertTtlSeconds(ttlSeconds);
  assertTimeoutMs(timeoutMs);
  assertTimeoutMs(persistTimeoutMs, "persistTimeoutMs");
  return {
    store,
    maxItems,
    tokens: sessionTokens(options.maxTokens, options.tokenCounter),
    ttlSeconds,
    timeoutMs,
    persistTimeoutMs,
    keep: options.filter === undefined ? keepByDefault : compileFilter(options.filter),
    logger: options.logger ?? consoleLogger,
    onStoreError: options.onStoreError,
  };
}

/**
 * Items handed to or returned from a session are copies: callers may mutate theirs freely.
 * A JSON round trip, so that a copy is the item as the store will give it back (undefined
 * fields dropped), as StoreSession copies them.
 */
export function cloneItems(items: readonly AgentInputItem[]): AgentInputItem[] {
  return JSON.parse(JSON.stringify(items)) as AgentInputItem[];
}
