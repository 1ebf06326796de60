import type { WriteOptions } from "./write-options";

/**
 * Model usage, summed over turns: the SDK's `Usage` (`result.state.usage`) in the fields a
 * conversation is billed by. Token counts are the model's own (what the API reported).
 */
export interface TokenUsage {
  /** Model requests made. */
  requests: number;
  /** Input tokens, cached ones included. */
  inputTokens: number;
  /** Of the input tokens, those served from the prompt cache. */
  cachedInputTokens: number;
  /** Output tokens, reasoning ones included. */
  outputTokens: number;
  /** Of the output tokens, those spent on reasoning. */
  reasoningTokens: number;
}

/** The fields of {@link TokenUsage}, in one place (the Lua counter script uses them too). */
export const TOKEN_USAGE_FIELDS = Object.freeze([
  "requests",
  "inputTokens",
  "cachedInputTokens",
  "outputTokens",
  "reasoningTokens",
] as const satisfies readonly (keyof TokenUsage)[]);

/** Usage of nothing. */
export function emptyUsage(): TokenUsage {
  return { requests: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
}

/** Options of {@link UsageStore.addUsage}. */
export interface AddUsageOptions extends WriteOptions {
  /** The usage key's TTL after the write, in seconds (refreshed on every write); 0: none. */
  ttlSeconds: number;
}

/**
 * A store that keeps usage counters beside the histories (no second store): `MemoryStore`,
 * `IoRedisStore`, `UpstashStore`. Check with {@link isUsageStore}.
 */
export interface UsageStore {
  /** Adds `usage` to the counters under `key` and sets their TTL, atomically, in one call. */
  addUsage(key: string, usage: TokenUsage, options: AddUsageOptions): Promise<void>;
  /** The counters under `key` ({@link emptyUsage} when missing). */
  readUsage(key: string): Promise<TokenUsage>;
}

/** True when `store` keeps usage counters (see {@link UsageStore}). */
export function isUsageStore<S extends object>(store: S): store is S & UsageStore {
  const candidate = store as Partial<UsageStore>;
  return typeof candidate.addUsage === "function" && typeof candidate.readUsage === "function";
}

/** Checks a usage to add: every field a non-negative safe integer. */
export function assertUsage(usage: unknown): asserts usage is TokenUsage {
  if (usage === null || typeof usage !== "object") {
    throw new TypeError("[agents-memory] usage must be an object of token counts");
  }
  for (const field of TOKEN_USAGE_FIELDS) {
    const value = (usage as Record<string, unknown>)[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(
        `[agents-memory] usage.${field} must be a non-negative integer, got ${String(value)}`,
      );
    }
  }
}

/** A usage read back from counters (missing or malformed fields count 0). */
export function usageFromCounters(counters: Readonly<Record<string, unknown>>): TokenUsage {
  const usage = emptyUsage();
  for (const field of TOKEN_USAGE_FIELDS) {
    const value = Number(counters[field] ?? 0);
    usage[field] = Number.isSafeInteger(value) && value > 0 ? value : 0;
  }
  return usage;
}
