/*
 * The keys a store keeps beside histories (usage counters, the runner's operation records) end
 * with a reserved suffix, and no history key may: so one session's companion key is never
 * another session's history, whatever ids an app hands out.
 */

/** Ends every usage-counter key (`StoreSession`: `<key>:usage`; `ReplySession`: `<prefix>:<chatId>:usage`). */
export const USAGE_SUFFIX = ":usage";

/** Ends every operation-record key (`operationsKey`); the older record adds `:older`. */
export const OPERATIONS_SUFFIX = ":ops";

const RESERVED = [USAGE_SUFFIX, OPERATIONS_SUFFIX, `${OPERATIONS_SUFFIX}:older`];

/**
 * Throws a `TypeError` when `key` ends with a suffix reserved for companion keys (`:usage`,
 * `:ops`, `:ops:older`): a history there would overwrite, or be overwritten by, another
 * history's usage counters or operation record.
 */
export function assertNotCompanionKey(key: string): void {
  const suffix = RESERVED.find((reserved) => key.endsWith(reserved));
  if (suffix !== undefined) {
    throw new TypeError(
      `[agents-memory] a history key must not end with "${suffix}": that suffix is reserved for another history's ${suffix === USAGE_SUFFIX ? "usage counters" : "operation record"} (choose another session id or key)`,
    );
  }
}
