/**
 * The token budget's part of the window rule (see `windowStartBy`): the budget only moves the
 * floor. Of `count` items, the window may start no earlier than `count - limit` (the item
 * limit) nor before the first index whose suffix fits `maxTokens`; the pair rule then moves the
 * start forward from there, which only lowers the sum. Returns the item limit that puts the
 * floor there, for `windowStartBy(count, tokenWindowLimit(...), roleAt)`: `limit` when the
 * budget does not bind, down to 0 when the newest item alone is over it. `tokensAt(i)` is asked
 * from the newest item back, only while the sum fits and only within the item limit.
 * Lua twin: `token_limit` in `redis/lua.ts`.
 */
export function tokenWindowLimit(
  count: number,
  limit: number,
  maxTokens: number | undefined,
  tokensAt: (index: number) => number,
): number {
  if (maxTokens === undefined) return limit;
  const oldest = Math.max(0, count - limit);
  let total = 0;
  for (let index = count - 1; index >= oldest; index--) {
    total += tokensAt(index);
    if (total > maxTokens) return count - 1 - index;
  }
  return limit;
}
