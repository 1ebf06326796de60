import { emptyUsage, type TokenUsage } from "../store/usage";

/** The SDK's `Usage` (`result.state.usage`, `@openai/agents-core`), as far as it is read here. */
export interface SdkUsage {
  /** Model requests made. */
  requests?: number;
  /** Input tokens over all requests. */
  inputTokens?: number;
  /** Output tokens over all requests. */
  outputTokens?: number;
  /** Per request (or summed): `cached_tokens` is read. */
  inputTokensDetails?: Record<string, number> | Array<Record<string, number>>;
  /** Per request (or summed): `reasoning_tokens` is read. */
  outputTokensDetails?: Record<string, number> | Array<Record<string, number>>;
}

/**
 * A run's usage as a {@link TokenUsage}: the SDK's `requests`, `inputTokens`, `outputTokens`,
 * and the summed `cached_tokens` / `reasoning_tokens` of its per-request details.
 */
export function tokenUsageOf(usage: SdkUsage | undefined | null): TokenUsage {
  const result = emptyUsage();
  if (!usage) return result;
  result.requests = count(usage.requests);
  result.inputTokens = count(usage.inputTokens);
  result.outputTokens = count(usage.outputTokens);
  result.cachedInputTokens = detail(usage.inputTokensDetails, "cached_tokens");
  result.reasoningTokens = detail(usage.outputTokensDetails, "reasoning_tokens");
  return result;
}

/** `a + b`, field by field. */
export function addTokenUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function detail(details: SdkUsage["inputTokensDetails"], field: string): number {
  const list = Array.isArray(details) ? details : details ? [details] : [];
  return list.reduce((total, entry) => total + count(entry?.[field]), 0);
}
