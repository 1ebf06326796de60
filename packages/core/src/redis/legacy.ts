import type { AgentInputItem } from "@openai/agents";
import type { MemoryLogger } from "../logger";
import type { StoredItems } from "../store/contract";
import { sha1Hex } from "../store/fingerprint";
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

/** A write tries at most this many times on a legacy string that keeps changing under it. */
const LEGACY_ATTEMPTS = 4;

/** One try of a write on a key that may hold a legacy string: done, or the next conversion. */
export type LegacyStep<T, L> = { done: T } | { converted: L };

/**
 * The one retry loop of every writing script that meets a legacy string (APPEND, POP,
 * TRANSACT, REPLACE_FUNCTION_CALL): such a script answers `{'legacy', value, sha1}` and changes
 * nothing; the caller converts the string client-side (Lua's cjson would reorder object keys)
 * and calls again with the conversion, which the script applies only while the key still holds
 * that string (by its sha1). `attempt` makes one call with the last conversion (undefined at
 * first). A string changed between the calls makes the script answer again; after
 * {@link LEGACY_ATTEMPTS} tries it rejects with an Error.
 */
export async function convertingLegacy<T, L>(
  attempt: (converted: L | undefined) => Promise<LegacyStep<T, L>>,
): Promise<T> {
  let converted: L | undefined;
  for (let i = 0; i < LEGACY_ATTEMPTS; i++) {
    const step = await attempt(converted);
    if ("done" in step) return step.done;
    converted = step.converted;
  }
  throw new Error("the legacy value kept changing while converting it");
}

/** The sha1 of the legacy string in a script's `{'legacy', value, sha1}` answer. */
export async function legacySha(reply: readonly unknown[]): Promise<string> {
  return reply[2] ? String(reply[2]) : sha1Hex(String(reply[1]));
}
