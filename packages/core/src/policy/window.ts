import { type PairRole, pairRole } from "./pairs";

/**
 * THE window rule, used wherever a window is cut (trims, reads with a limit, `getItems(limit)`;
 * `window_start` in the Redis layout's Lua is its twin, held to it by the same property tests):
 * a window is the longest suffix of the history that holds at most `limit` items and cuts no
 * pair, i.e.
 * - the item before the window is not a reasoning item (its follower would go without it), and
 * - every tool output in the window has its call before it in the window (an output whose call
 *   was cut, or is missing altogether, is rejected by the Responses API either way).
 * A reasoning item at the window's end stays (its follower may come in a later write), and a
 * call without its output stays (its output may come later). So a window may hold fewer than
 * `limit` items, down to none; it never keeps an older item while dropping a newer one, and a
 * list that fits is cut only where it holds an output without its call.
 *
 * Returns the first index kept: the smallest start from `count - limit` on that breaks neither
 * condition (an orphaned output moves it past the output; a reasoning item before it moves it
 * by one). `roleAt(i)` is asked only for the items from `count - limit - 1` on: O(window). A
 * reader that fetched only the newest items fetches one more than its limit, so the item before
 * the window is known.
 */
export function windowStartBy(
  count: number,
  limit: number,
  roleAt: (index: number) => PairRole,
): number {
  let start = Math.max(0, count - limit);
  let calls = new Set<string>();
  let index = start;
  while (index < count) {
    if (index === start && start > 0 && roleAt(start - 1)?.kind === "reasoning") {
      start++;
      index = start;
      continue;
    }
    const role = roleAt(index);
    if (role?.kind === "output" && !calls.has(role.link)) {
      // Orphaned in this window: the window starts after it.
      start = index + 1;
      index = start;
      calls = new Set();
      continue;
    }
    if (role?.kind === "call") calls.add(role.link);
    index++;
  }
  return start;
}

/** The first index of the pair-safe window of the newest `limit` of `items` (see {@link windowStartBy}). */
export function windowStart(items: readonly unknown[], limit: number): number {
  return windowStartBy(items.length, limit, (index) => pairRole(items[index]));
}

/** The pair-safe window of the newest `limit` of `items`, in order (see {@link windowStartBy}). */
export function windowOf<T>(items: readonly T[], limit: number): T[] {
  return items.slice(windowStart(items, limit));
}
