import type { AgentInputItem } from "@openai/agents";
import type { MemoryLogger } from "../logger";
import type { StoredItems } from "../store/contract";
import { emptyStored, parseStoredItems } from "../store/stored-json";

/**
 * Reads a legacy value: a JSON array in a plain string, as the Python bot's cache wrote it.
 * Anything else yields [] and a warning.
 */
export function parseLegacyValue(
  value: unknown,
  context: { key: string; logger: MemoryLogger; store: string },
): AgentInputItem[] {
  return parseLegacyStored(value, context).items;
}

/** {@link parseLegacyValue}, keeping each item's JSON beside it. */
export function parseLegacyStored(
  value: unknown,
  context: { key: string; logger: MemoryLogger; store: string },
): StoredItems {
  let parsed: unknown;
  try {
    parsed = typeof value === "string" ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    context.logger.warn(
      { store: context.store, key: context.key },
      "a string under the key is not a JSON array of items; read as empty",
    );
    return emptyStored();
  }
  // The blob's items are JSON values already; as elements they go through the one parser.
  const elements = parsed.map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : v));
  return parseStoredItems(elements, context);
}
