import { CHAIN } from "./chain";
import { inPlace } from "./in-place";
import { fenced, withPush } from "./prelude";
import { PAIR_ROLE, TOKENS } from "./window";

/** The scripts of a history as one list: read, write, append, fork by copy, pop, clear. */

/**
 * READ KEYS[1]; ARGV[1] = newest n to return, or -1 for all (n = 0 never reaches Redis).
 * Returns {'list', elements} | {'string', value} | {type} for none and foreign types.
 */
export const read = withPush(`
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'list' then
  local n = tonumber(ARGV[1])
  if n < 0 then return {kind, redis.call('LRANGE', key, 0, -1)} end
  return {kind, redis.call('LRANGE', key, -n, -1)}
elseif kind == 'string' then
  return {kind, redis.call('GET', key)}
end
return {kind}`);

/**
 * WRITE KEYS = target keys; ARGV[1] = TTL seconds, ARGV[2..] = elements (already trimmed).
 * Each key becomes exactly that list with the TTL (no elements: the key is deleted).
 */
export const write = fenced(`
for _, key in ipairs(KEYS) do
  redis.call('DEL', key)
  if #ARGV > 1 then
    push(key, ARGV, 2)
    expire(key, ARGV[1])
  end
end
return 1`);

/** A Lua table literal of each type's link fields, from core's pair tables (one source). */

/**
 * APPEND KEYS[1]; ARGV[1] = maxItems, ARGV[2] = TTL seconds, ARGV[3] = maxTokens (0: none),
 * ARGV[4..] = the legacy conversion (see `legacy_args`: sha1 of the string the caller
 * converted, '' on the first try; count L; the L legacy elements), then the new elements.
 *
 * A legacy string is converted client-side (Lua's cjson would reorder object keys): when the
 * key holds a string that is not the one the caller converted, the script changes nothing
 * and returns {'legacy', value, sha1(value)}; the store converts it and calls again with that
 * sha1. When the key is a list (or gone) the converted elements are not needed and only the
 * new ones are appended (to the whole history: a list that links to its parent is flattened
 * first, see `flatten`), and the list is trimmed to its pair-safe window of the newest
 * maxItems, within maxTokens by the stored counts (see core's `windowStartBy` and
 * `tokenWindowLimit`: never between a reasoning item and the item after it, never between a
 * tool call and its output). A key of a foreign type is replaced. Returns
 * {'ok', replacedType or ''}.
 */
export const append = fenced(`
${PAIR_ROLE}
${TOKENS}
${CHAIN}
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
local converted, first, last = legacy_args(4)
local from = last + 1
local replaced = ''
if kind == 'string' then
  local legacy = unconverted(key, converted)
  if legacy then return legacy end
  redis.call('DEL', key)
  from = first
elseif kind == 'list' then
  flatten(key)
elseif kind ~= 'none' then
  redis.call('DEL', key)
  replaced = kind
end
push(key, ARGV, from)
local cut = window_start(key, token_limit(key, tonumber(ARGV[1]), tonumber(ARGV[3])))
if cut > 0 then redis.call('LTRIM', key, cut, -1) end
expire(key, ARGV[2])
return {'ok', replaced}`);

/**
 * FORK_COPY KEYS[1] = parent, KEYS[2..] = children; ARGV[1] = TTL seconds, ARGV[2] = n (how
 * many items the caller read from the parent), ARGV[3] = their fingerprint, ARGV[4] = k (how
 * many of those, the newest, survive the trim), ARGV[5..] = new elements (already trimmed).
 *
 * Copies server-side only when the parent is a list of at least n elements whose oldest and
 * newest of the newest n hash to the fingerprint (see core's `fingerprintItems`: O(1) work,
 * whatever the history's size) and `COPY` exists (Redis 6.2+); otherwise writes nothing and
 * returns 0 (the store then sends the full list).
 */
export const forkCopy = fenced(`
local parent = KEYS[1]
if redis.call('TYPE', parent).ok ~= 'list' then return 0 end
local n = tonumber(ARGV[2])
if n < 1 or redis.call('LLEN', parent) < n then return 0 end
local edges = redis.sha1hex(redis.call('LINDEX', parent, -n)) .. redis.sha1hex(redis.call('LINDEX', parent, -1))
if edges ~= ARGV[3] then return 0 end
for i = 2, #KEYS do
  if KEYS[i] == parent then return 0 end
end
local k = tonumber(ARGV[4])
local copied = write_children(2, #KEYS, ARGV[1], function(child)
  if k == 0 then return redis.call('DEL', child) end
  -- COPY duplicates the list inside Redis (no pass through Lua); it needs Redis 6.2.
  local copied = redis.pcall('COPY', parent, child, 'REPLACE')
  if type(copied) == 'table' and copied.err then return false end
  redis.call('LTRIM', child, -k, -1)
end, 5)
if not copied then return 0 end
return 1`);

/**
 * POP KEYS[1]; ARGV[1..] = the legacy conversion (see `legacy_args`: sha1 of the string the
 * caller converted, '' on the first try; count L; that string's items but the newest, as L
 * elements).
 *
 * On a list (flattened first when it links to its parent, see `flatten`): pops from the right
 * until an element that may be a JSON object (`{` after optional whitespace) comes off; others
 * are dropped as malformed. The caller's JSON parser decides: it pops again when it rejects
 * what came off. Returns {'item', skipped, element} or {'empty', skipped}.
 * A legacy string or another type: see `in_place` ({'converted'} once converted: the caller
 * holds the newest item).
 */
export const pop = inPlace(
  1,
  "converted",
  `
local skipped = 0
while true do
  local value = redis.call('RPOP', key)
  if not value then return {'empty', skipped} end
  if string.find(value, '^%s*{') then return {'item', skipped, value} end
  skipped = skipped + 1
end`,
);

/** CLEAR KEYS: deletes the keys (a history and its operation record, one slot). Returns 1. */
export const clear = fenced(`
redis.call('DEL', unpack(KEYS))
return 1`);
