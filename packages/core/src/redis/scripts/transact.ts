import { OPERATIONS_PER_RECORD } from "../../store/history";
import { TOKEN_COUNT_FIELD } from "../../store/token-count";
import { CHAIN } from "./chain";
import { inPlace } from "./in-place";
import { fenced } from "./prelude";
import { PAIR_ROLE, TOKENS } from "./window";

/** The runner's history changes: TRANSACT and REPLACE_FUNCTION_CALL. */

/**
 * `same_json(a, b)`: true when two JSON texts are equal as parsed JSON (key order, spacing and
 * number spelling aside), as the SDK's `MemorySession` compares items. cjson decodes `[]` and
 * `{}` alike, so an empty array is rewritten (outside strings) to an object no item holds
 * before decoding; JSON null decodes to cjson.null, unlike a missing key (nil).
 */
const SAME_JSON = `
local EMPTY_ARRAY = '{"\\\\u0000[]":true}'
local function decode(text)
  if not string.find(text, '%[%s*%]') then return cjson.decode(text) end
  local parts, last, pos, in_string = {}, 1, 1, false
  while true do
    local at = string.find(text, in_string and '["\\\\]' or '["%[]', pos)
    if not at then break end
    local char = string.sub(text, at, at)
    if in_string then
      if char == '\\\\' then pos = at + 2 else in_string = false; pos = at + 1 end
    elseif char == '"' then
      in_string = true
      pos = at + 1
    else
      local _, close = string.find(text, '^%[%s*%]', at)
      if close then
        parts[#parts + 1] = string.sub(text, last, at - 1)
        parts[#parts + 1] = EMPTY_ARRAY
        last = close + 1
        pos = close + 1
      else
        pos = at + 1
      end
    end
  end
  parts[#parts + 1] = string.sub(text, last)
  return cjson.decode(table.concat(parts))
end
local function same(a, b)
  if type(a) ~= 'table' or type(b) ~= 'table' then return a == b end
  for k, v in pairs(a) do
    if b[k] == nil or not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
local function same_json(a, b)
  if a == b then return true end
  local ok_a, left = pcall(decode, a)
  local ok_b, right = pcall(decode, b)
  if not (ok_a and ok_b) then return false end
  -- A stored token count is not part of the item (core's withoutTokenCount).
  for _, value in ipairs({left, right}) do
    if type(value) == 'table' then value['${TOKEN_COUNT_FIELD}'] = nil end
  end
  return same(left, right)
end`;

/**
 * TRANSACT KEYS[1] = history, KEYS[2] = its operation record (a hash operationId ->
 * fingerprint, same slot: see `operationsKey`), KEYS[3] = the older record (`olderOperationsKey`); ARGV[1] = operationId, ARGV[2] = fingerprint,
 * ARGV[3] = maxItems (0: no trim), ARGV[4] = TTL seconds (0: no expiry), ARGV[5] = maxTokens
 * (0: none), ARGV[6..] = the legacy conversion (see `legacy_args`: sha1 of the string the
 * caller converted, '' on the first try; count L; the L elements), then count n of the expected
 * suffix, the n expected elements, then the new elements (an append is a replace of an empty
 * suffix).
 *
 * The id recorded (in either record) with the same fingerprint: changes nothing, returns {'already'}; with another:
 * a CONFLICT operation-reused error. Then the stored history (the list, flattened when it
 * links to its parent, see `flatten`; a legacy string as the
 * caller converted it, checked by sha1 as in APPEND, else {'legacy', value, sha1(value)}; none
 * or a foreign type as empty) must end with the n expected elements, compared with `same_json`,
 * else a CONFLICT suffix-mismatch error. Only then: the suffix is replaced by the new elements,
 * the list cut to its pair-safe window (`window_start`, within maxTokens: `token_limit`), the id recorded (a record
 * already holding OPERATIONS_PER_RECORD ids first becomes the older one, replacing it), and the
 * history and record get the TTL (or lose theirs). Returns {'applied', replacedType or ''}.
 */
export const transact = fenced(`
${PAIR_ROLE}
${TOKENS}
${SAME_JSON}
${CHAIN}
local key, record, older = KEYS[1], KEYS[2], KEYS[3]
local recorded = redis.call('HGET', record, ARGV[1]) or redis.call('HGET', older, ARGV[1])
if recorded then
  if recorded == ARGV[2] then return {'already'} end
  return redis.error_reply('CONFLICT operation-reused: the operation id was recorded with another transaction; nothing was changed')
end
local converted, legacy_from, legacy_to = legacy_args(6)
local n = tonumber(ARGV[legacy_to + 1])
local expected_from = legacy_to + 2
local kind = redis.call('TYPE', key).ok
local replaced = ''
local current = nil
if kind == 'string' then
  local legacy = unconverted(key, converted)
  if legacy then return legacy end
  current = {}
  for i = legacy_from, legacy_to do current[#current + 1] = ARGV[i] end
  if legacy_to < legacy_from then replaced = 'string' end
elseif kind == 'list' then
  flatten(key)
else
  if kind ~= 'none' then replaced = kind end
  current = {}
end
local mismatch = 'CONFLICT suffix-mismatch: the history does not end with the expected suffix; nothing was changed'
if n > 0 then
  local tail = {}
  if current then
    if #current < n then return redis.error_reply(mismatch) end
    for i = #current - n + 1, #current do tail[#tail + 1] = current[i] end
  else
    if redis.call('LLEN', key) < n then return redis.error_reply(mismatch) end
    tail = redis.call('LRANGE', key, -n, -1)
  end
  for i = 1, n do
    if not same_json(tail[i], ARGV[expected_from + i - 1]) then return redis.error_reply(mismatch) end
  end
end
if current then
  redis.call('DEL', key)
  push(key, current, 1, #current - n)
elseif n > 0 then
  local count = redis.call('LLEN', key)
  if count == n then redis.call('DEL', key) else redis.call('LTRIM', key, 0, count - n - 1) end
end
push(key, ARGV, expected_from + n)
local max, max_tokens = tonumber(ARGV[3]), tonumber(ARGV[5])
if max > 0 or max_tokens > 0 then
  if max <= 0 then max = redis.call('LLEN', key) end
  local cut = window_start(key, token_limit(key, max, max_tokens))
  if cut > 0 then redis.call('LTRIM', key, cut, -1) end
end
if redis.call('HLEN', record) >= ${OPERATIONS_PER_RECORD} then redis.call('RENAME', record, older) end
redis.call('HSET', record, ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[4])
for _, target in ipairs({key, record}) do
  if ttl > 0 then redis.call('EXPIRE', target, ttl) else redis.call('PERSIST', target) end
end
return {'applied', replaced}`);

/**
 * REPLACE_FUNCTION_CALL KEYS[1]; ARGV[1] = callId, ARGV[2] = the replacement element,
 * ARGV[3..] = the legacy conversion (see `legacy_args`: sha1 of the string the caller
 * converted, '' on the first try; count L; that string's items with the replacement already
 * applied, as L elements).
 *
 * The SDK's `applySessionHistoryMutations` for one `replace_function_call`: the first element
 * whose `type` is function_call and `callId` is ARGV[1] becomes ARGV[2] (LSET), later ones are
 * removed (LREM of a marker no JSON element can equal), along the whole history (a list that
 * links to its parent is flattened first, see `flatten`); the key keeps its TTL. Returns
 * {'replaced'} or {'none'} (nothing found: nothing changed). A legacy string or another type:
 * see `in_place` ({'replaced'} once converted).
 */
export const replaceFunctionCall = inPlace(
  3,
  "replaced",
  `
local DROPPED = '\\0agents-memory:dropped'
local elements = redis.call('LRANGE', key, 0, -1)
local first, later = nil, 0
for index, value in ipairs(elements) do
  local ok, item = pcall(cjson.decode, value)
  if ok and type(item) == 'table' and item.type == 'function_call' and item.callId == ARGV[1] then
    if first then
      redis.call('LSET', key, index - 1, DROPPED)
      later = later + 1
    else
      first = index - 1
    end
  end
end
if not first then return {'none'} end
redis.call('LSET', key, first, ARGV[2])
if later > 0 then redis.call('LREM', key, 0, DROPPED) end
return {'replaced'}`,
);
