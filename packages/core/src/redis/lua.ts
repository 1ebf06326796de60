/**
 * The Lua behind the Redis layout both network stores share (`@agents-memory/ioredis` and
 * `@agents-memory/upstash`): one Redis list of JSON strings per key, oldest first. Kept here,
 * once, so that either store reads and writes exactly what the other does. Plain strings: core
 * still depends on no Redis client; each adapter loads them its own way (EVALSHA, falling back
 * to EVAL on NOSCRIPT).
 *
 * Every script but FORK_COPY touches exactly one key (slot-safe on Redis Cluster). Scripts
 * return only strings, integers and arrays (no booleans), so replies look the same under RESP2,
 * RESP3 and Upstash's JSON.
 */

/** RPUSH `list[from..to]` onto `key` in chunks (Lua's unpack has a stack limit). */
const PUSH = `
local function push(key, list, from, to)
  to = to or #list
  while from <= to do
    local last = math.min(from + 999, to)
    redis.call('RPUSH', key, unpack(list, from, last))
    from = last + 1
  end
end`;

function withPush(body: string): string {
  return `${PUSH}\n${body.trim()}\n`;
}

/**
 * READ KEYS[1]; ARGV[1] = newest n to return, or -1 for all (n = 0 never reaches Redis).
 * Returns {'list', elements} | {'string', value} | {type} for none and foreign types.
 */
const read = withPush(`
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
const write = withPush(`
for _, key in ipairs(KEYS) do
  redis.call('DEL', key)
  if #ARGV > 1 then
    push(key, ARGV, 2)
    redis.call('EXPIRE', key, ARGV[1])
  end
end
return 1`);

/**
 * APPEND KEYS[1]; ARGV[1] = maxItems, ARGV[2] = TTL seconds, ARGV[3] = sha1 of the legacy
 * string the caller converted ('' on the first try), ARGV[4] = count L of converted legacy
 * elements, ARGV[5..] = the L legacy elements, then the new ones.
 *
 * A legacy string is converted client-side (Lua's cjson would reorder object keys): when the
 * key holds a string that is not the one the caller converted, the script changes nothing
 * and returns {'legacy', value, sha1(value)}; the store converts it and calls again with that
 * sha1. When the key is a list (or gone) the converted elements are not needed and only the
 * new ones are appended, and the list is trimmed to the newest maxItems (never between a
 * reasoning item and the item after it). A key of a foreign type is replaced. Returns
 * {'ok', replacedType or ''}.
 */
const append = withPush(`
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
local from = 5 + tonumber(ARGV[4])
local replaced = ''
if kind == 'string' then
  local value = redis.call('GET', key)
  local sha = redis.sha1hex(value)
  if ARGV[3] == '' or sha ~= ARGV[3] then return {'legacy', value, sha} end
  redis.call('DEL', key)
  from = 5
elseif kind ~= 'list' and kind ~= 'none' then
  redis.call('DEL', key)
  replaced = kind
end
push(key, ARGV, from)
local count = redis.call('LLEN', key)
local cut = count - tonumber(ARGV[1])
-- As core's trimCut: a cut right after a reasoning item takes the item that answered it too.
while cut > 0 and cut < count do
  local ok, item = pcall(cjson.decode, redis.call('LINDEX', key, cut - 1))
  if not (ok and type(item) == 'table' and item.type == 'reasoning') then break end
  cut = cut + 1
end
if cut > 0 then redis.call('LTRIM', key, cut, -1) end
redis.call('EXPIRE', key, ARGV[2])
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
const forkCopy = withPush(`
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
for i = 2, #KEYS do
  local child = KEYS[i]
  if k > 0 then
    -- COPY duplicates the list inside Redis (no pass through Lua); it needs Redis 6.2.
    local copied = redis.pcall('COPY', parent, child, 'REPLACE')
    if type(copied) == 'table' and copied.err then return 0 end
    redis.call('LTRIM', child, -k, -1)
  else
    redis.call('DEL', child)
  end
  push(child, ARGV, 5)
  redis.call('EXPIRE', child, ARGV[1])
end
return 1`);

/**
 * POP KEYS[1]; ARGV[1] = sha1 of the legacy string the caller converted ('' on the first try),
 * ARGV[2..] = that string's items but the newest, as elements.
 *
 * On a list: pops from the right until an element that may be a JSON object (`{` after
 * optional whitespace) comes off; others are dropped as malformed. The caller's JSON parser
 * decides: it pops again when it rejects what came off. Returns {'item', skipped, element} or
 * {'empty', skipped}.
 * On a legacy string: converted client-side, as in APPEND. When it is not the string the caller
 * converted, changes nothing and returns {'legacy', value, sha1(value)}; otherwise the key
 * becomes the list of ARGV[2..], keeping its remaining TTL, and the script returns
 * {'converted'} (the caller holds the newest item). Anything else: {'none'}.
 */
const pop = withPush(`
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'string' then
  local value = redis.call('GET', key)
  local sha = redis.sha1hex(value)
  if ARGV[1] == '' or sha ~= ARGV[1] then return {'legacy', value, sha} end
  local ttl = redis.call('PTTL', key)
  redis.call('DEL', key)
  if #ARGV > 1 then
    push(key, ARGV, 2)
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  end
  return {'converted'}
end
if kind ~= 'list' then return {'none'} end
local skipped = 0
while true do
  local value = redis.call('RPOP', key)
  if not value then return {'empty', skipped} end
  if string.find(value, '^%s*{') then return {'item', skipped, value} end
  skipped = skipped + 1
end`);

/** The full source of each script (prelude included), by operation. */
export const REDIS_LUA = Object.freeze({ read, write, append, forkCopy, pop });
