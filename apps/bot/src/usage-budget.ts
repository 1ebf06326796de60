import {
  isUsageStore,
  type SdkUsage,
  type SessionStore,
  type TokenUsage,
  tokenUsageOf,
} from "@agents-memory/core";

/** Two days: a user's daily counters outlive their UTC day, then go. */
const DAY_KEY_TTL_SECONDS = 172_800;

/** The UTC day `at` falls on, `YYYY-MM-DD`. */
export function utcDay(at = Date.now()): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The key of a user's usage on a UTC day: `<prefix>:user:<userId>:<day>:usage` (usage keys end with `:usage`). */
export function userDayKey(keyPrefix: string, userId: number, day = utcDay()): string {
  return `${keyPrefix}:user:${userId}:${day}:usage`;
}

/** Tokens a usage costs against a budget: input plus output. */
export function spentTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.outputTokens;
}

/** A user's usage today (zeros when the store keeps none). */
export async function userUsageToday(
  store: SessionStore,
  keyPrefix: string,
  userId: number,
): Promise<TokenUsage> {
  if (!isUsageStore(store)) return tokenUsageOf(undefined);
  return store.readUsage(userDayKey(keyPrefix, userId));
}

/** Adds a run's usage to the user's day (the chat's is `ReplySession.recordUsage`). */
export async function recordUserUsage(
  store: SessionStore,
  keyPrefix: string,
  userId: number,
  usage: SdkUsage,
): Promise<void> {
  if (!isUsageStore(store)) return;
  await store.addUsage(userDayKey(keyPrefix, userId), tokenUsageOf(usage), {
    ttlSeconds: DAY_KEY_TTL_SECONDS,
  });
}

/** The /usage reply: the chat's totals, and the user's today against the budget when set. */
export function usageText(chat: TokenUsage, today: TokenUsage, budget: number | undefined): string {
  const lines = [
    `This chat: ${chat.requests} model requests, ${chat.inputTokens} input tokens (${chat.cachedInputTokens} cached), ${chat.outputTokens} output tokens (${chat.reasoningTokens} reasoning).`,
    budget === undefined
      ? `You today (UTC): ${spentTokens(today)} tokens.`
      : `You today (UTC): ${spentTokens(today)} of your ${budget} tokens.`,
  ];
  return lines.join("\n");
}

/** The reply when a user's daily budget is spent. */
export function budgetSpentText(spent: number, budget: number): string {
  return `You have used ${spent} of your ${budget} tokens for today; the budget resets at 00:00 UTC.`;
}

/** What usageText and budgetSpentText write, any numbers: keep each next to its template. */
const USAGE_NOTICES = [
  /^This chat: \d+ model requests, \d+ input tokens \(\d+ cached\), \d+ output tokens \(\d+ reasoning\)\.\nYou today \(UTC\): \d+ (?:of your \d+ )?tokens\.$/,
  /^You have used \d+ of your \d+ tokens for today; the budget resets at 00:00 UTC\.$/,
];

/** True for a text usageText or budgetSpentText wrote (a notice: no history lives under it). */
export function isUsageNotice(text: string): boolean {
  return USAGE_NOTICES.some((notice) => notice.test(text));
}
