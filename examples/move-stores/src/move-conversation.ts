import type { SessionStore } from "@agents-memory/core";

/** The target already holds another conversation under the key; nothing was changed. */
export class TargetTakenError extends Error {}

/**
 * Moves the conversation under `key` from one store to another, under the same key: reads every
 * item, writes them in one `replace` (atomic: the target holds all of them or none), reads them
 * back, and only then clears the source. Returns how many items moved (0: nothing to move).
 *
 * Throws a {@link TargetTakenError}, changing nothing, when the target already holds a different
 * conversation under the key. Safe to run again after a failure: a copy already made is recognised and not rewritten.
 *
 * `ttlSeconds` is the target's TTL (0, the default: none); a store does not tell its keys' TTLs.
 * Operation ids recorded by `applyHistoryTransaction` stay behind: let a run in flight finish
 * before its conversation moves.
 */
export async function moveConversation(
  from: SessionStore,
  to: SessionStore,
  key: string,
  ttlSeconds = 0,
): Promise<number> {
  const items = await from.read(key);
  // `replace` with no items deletes the key: an empty source must not wipe the target.
  if (items.length === 0) return 0;
  const written = JSON.stringify(items);

  const existing = await to.read(key);
  if (existing.length > 0 && JSON.stringify(existing) !== written) {
    throw new TargetTakenError(
      `moving ${key}: the target already holds ${existing.length} other items`,
    );
  }
  if (existing.length === 0) await to.replace(key, items, ttlSeconds);
  // Never delete the only copy: a target that kept less (or changed an item) stops the move.
  if (JSON.stringify(await to.read(key)) !== written) {
    throw new Error(
      `moving ${key}: the target does not read back the ${items.length} items written`,
    );
  }
  await from.clear(key);
  return items.length;
}
