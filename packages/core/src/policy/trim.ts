import { isReasoningItem } from "./items";
import { assertMaxItems } from "./limits";

/**
 * How many of the oldest of `count` items a trim to the newest `max` removes. A cut never
 * leaves the item that answered a reasoning item without it (the API rejects that item then:
 * "…was provided without its required 'reasoning' item"), so a cut right after a reasoning
 * item takes the following item too.
 */
export function trimCut(
  count: number,
  max: number,
  isReasoningAt: (index: number) => boolean,
): number {
  let cut = Math.max(0, count - max);
  while (cut > 0 && cut < count && isReasoningAt(cut - 1)) cut++;
  return cut;
}

/** The newest `max` items, in chronological order (see {@link trimCut}). */
export function trimItems<T>(items: readonly T[], max: number): T[] {
  assertMaxItems(max);
  return items.slice(trimCut(items.length, max, (index) => isReasoningItem(items[index])));
}
