/** The `type` field of a stored or SDK item, whatever its shape. */
export function itemType(item: unknown): unknown {
  return item !== null && typeof item === "object" ? (item as { type?: unknown }).type : undefined;
}

/** True for a reasoning item (a reasoning model's output, answered by the item after it). */
export function isReasoningItem(item: unknown): boolean {
  return itemType(item) === "reasoning";
}
