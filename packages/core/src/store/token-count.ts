import type { AgentInputItem } from "@openai/agents";

/*
 * An item's token count is stored inside its element, as the first field of the JSON object:
 * `{"agents_memory.tokens":42,"type":"message",...}`. Being first, a reader finds it without
 * parsing (Lua included: `token_count` in `redis/lua.ts`); being a field, the element is still
 * one JSON object per item, so every store, layout and trim keeps the count with its item, and
 * the field is removed wherever an element becomes an item again (the model never sees it).
 * An element without the field (written before counts, or without a token budget) is counted
 * when read.
 */

/** The reserved field holding an item's stored token count. */
export const TOKEN_COUNT_FIELD = "agents_memory.tokens";

/** How every element with a stored count starts. */
export const TOKEN_COUNT_PREFIX = `{"${TOKEN_COUNT_FIELD}":`;

const COUNT = /^(\d{1,15})[,}]/;

/** The count stored in an element, or undefined when it has none. */
export function storedTokenCount(element: string): number | undefined {
  if (!element.startsWith(TOKEN_COUNT_PREFIX)) return undefined;
  const match = COUNT.exec(element.slice(TOKEN_COUNT_PREFIX.length));
  return match ? Number(match[1]) : undefined;
}

/**
 * A copy of `item` that serializes with `tokens` as its first field (what a store writes). The
 * count replaces one the item may already carry.
 */
export function withTokenCount(item: AgentInputItem, tokens: number): AgentInputItem {
  const { [TOKEN_COUNT_FIELD]: _old, ...rest } = item as Record<string, unknown>;
  return { [TOKEN_COUNT_FIELD]: tokens, ...rest } as unknown as AgentInputItem;
}

/** Removes the stored count from a freshly parsed value (in place), and returns it. */
export function withoutTokenCount<T>(value: T): T {
  if (value !== null && typeof value === "object" && TOKEN_COUNT_FIELD in value) {
    delete (value as Record<string, unknown>)[TOKEN_COUNT_FIELD];
  }
  return value;
}
