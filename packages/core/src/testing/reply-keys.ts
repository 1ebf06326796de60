/*
 * Keys for the chain groups: links only join reply keys of one chat under one prefix
 * (`<prefix>:<messageId>:<chatId>`, see `store/chain-link.ts`), so a test's named keys become
 * reply keys under its own prefix: `rk(p, "a")` is `${p}1:4242`, `rk(p, "b")` `${p}2:4242`, the
 * same name always the same key.
 */

/** The chat every chain test's keys belong to. */
export const TEST_CHAT_ID = 4242;

const ids = new Map<string, Map<string, number>>();

/** The reply key named `name` in chat `chatId` under the test's prefix `p` (which ends in ":"). */
export function rk(p: string, name: string, chatId = TEST_CHAT_ID): string {
  let names = ids.get(p);
  if (!names) {
    names = new Map();
    ids.set(p, names);
  }
  let id = names.get(name);
  if (id === undefined) {
    id = names.size + 1;
    names.set(name, id);
  }
  return `${p}${id}:${chatId}`;
}
