import { type SdkUsage, tokenUsageOf } from "../policy/usage";
import type { SessionStore } from "../store/contract";
import { isUsageStore, type TokenUsage, type UsageStore } from "../store/usage";

/** A run's usage as given to `recordUsage`: the SDK's `result.state.usage`, or a TokenUsage. */
export type UsageInput = SdkUsage | TokenUsage;

/** `usage` as a {@link TokenUsage} (the SDK's `Usage` converted, see `tokenUsageOf`). */
export function toTokenUsage(usage: UsageInput): TokenUsage {
  return usage && typeof usage === "object" && "cachedInputTokens" in usage
    ? (usage as TokenUsage)
    : tokenUsageOf(usage as SdkUsage);
}

/** The store as a {@link UsageStore}, or a TypeError naming what is missing. */
export function usageStoreOf(store: SessionStore): SessionStore & UsageStore {
  if (!isUsageStore(store)) {
    throw new TypeError(
      "[agents-memory] this store keeps no usage (addUsage/readUsage): use MemoryStore, IoRedisStore or UpstashStore",
    );
  }
  return store;
}
