import { assertMaxItems } from "./limits";
import { windowOf } from "./window";

/**
 * The newest `max` items, in chronological order, cut pair-safe (see `windowStartBy`): the
 * result may hold fewer than `max` items so that no reasoning item or tool call is split
 * from its partner. Throws a RangeError when `max` is not a positive integer.
 */
export function trimItems<T>(items: readonly T[], max: number): T[] {
  assertMaxItems(max);
  return windowOf(items, max);
}
