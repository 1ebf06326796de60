import { CHAIN } from "./chain";
import { fenced } from "./prelude";

/**
 * `in_place(key, legacy_at, done)`: how a script that changes a history in place without
 * reading it first starts. A legacy string is converted client-side, as in APPEND: when it is
 * not the string the caller converted (the conversion at ARGV[legacy_at], see `legacy_args`),
 * the reply is {'legacy', value, sha1(value)} and nothing changes; when it is, the key becomes
 * the list of the converted elements, keeping its remaining TTL, and the reply is {done}. A key
 * that is not a list: {'none'}. A list is flattened (see `flatten`) and the reply is nil: the
 * script goes on.
 */
const IN_PLACE = `
local function in_place(key, legacy_at, done)
  local kind = redis.call('TYPE', key).ok
  if kind == 'string' then
    local converted, first, last = legacy_args(legacy_at)
    local legacy = unconverted(key, converted)
    if legacy then return legacy end
    rewrite(key, ARGV, first, last)
    return {done}
  end
  if kind ~= 'list' then return {'none'} end
  flatten(key)
  return nil
end`;

/**
 * A writing script that changes KEYS[1] in place (POP, REPLACE_FUNCTION_CALL): the fence, then
 * `in_place` with the legacy conversion at ARGV[`legacyAt`] (after the fence) and the reply
 * `done` once a legacy string is converted, then `body`, which finds `key` a plain list.
 */
export function inPlace(legacyAt: number, done: string, body: string): string {
  return fenced(`
${CHAIN}
${IN_PLACE}
local key = KEYS[1]
local early = in_place(key, ${legacyAt}, '${done}')
if early then return early end
${body.trim()}`);
}
