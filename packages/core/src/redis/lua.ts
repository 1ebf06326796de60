/**
 * The Lua behind the Redis layout both network stores share (`@agents-memory/ioredis` and
 * `@agents-memory/upstash`): one Redis list of JSON strings per key, oldest first. Kept here,
 * once, so that either store reads and writes exactly what the other does. Plain strings: core
 * still depends on no Redis client; each adapter loads them its own way (EVALSHA, falling back
 * to EVAL on NOSCRIPT).
 *
 * Every script but FORK_COPY and the chained layout's (READ_CHAIN, FORK_CHAIN: single node and
 * Upstash only) touches one key, or a history and its operation record, which
 * `operationsKey` puts in the same slot (slot-safe on Redis Cluster); those that change a key in
 * place also read its ancestors when it links to a parent (`flatten`), which only the chained
 * layout writes. Scripts return only strings, integers and arrays (no booleans), so replies
 * look the same under RESP2, RESP3 and Upstash's JSON.
 *
 * Every script that writes takes a deadline in the server's clock as ARGV[1] and changes
 * nothing once it has passed (see FENCE): a command already sent cannot be recalled, so a write
 * its caller gave up on (and reported as failed) must be refused by the server instead.
 */

import { TOOL_CALL_LINKS, TOOL_OUTPUT_LINKS } from "../policy/pairs";
import { CHAIN_LINK_LUA, CHAIN_TTL_SLACK_DIVISOR } from "../store/chain-link";
import { TOKEN_COUNT_FIELD, TOKEN_COUNT_PREFIX } from "../store/token-count";

/**
 * RPUSH `list[from..to]` onto `key` in chunks (Lua's unpack has a stack limit); `expire` sets
 * a TTL in seconds, or for 0 makes the key persistent (a session with no expiry); `rewrite`
 * makes the key exactly `list[from..]`, keeping its remaining TTL; `unconverted` is the check
 * every writing script makes on a legacy string (see APPEND): the reply to give when the
 * string under the key is not the one the caller converted (its sha1, '' on the first try),
 * else nil.
 */
const PUSH = `
local function expire(key, ttl)
  if tonumber(ttl) > 0 then redis.call('EXPIRE', key, ttl) else redis.call('PERSIST', key) end
end
local function push(key, list, from, to)
  to = to or #list
  while from <= to do
    local last = math.min(from + 999, to)
    redis.call('RPUSH', key, unpack(list, from, last))
    from = last + 1
  end
end
local function rewrite(key, list, from)
  local ttl = redis.call('PTTL', key)
  redis.call('DEL', key)
  push(key, list, from)
  if ttl > 0 and from <= #list then redis.call('PEXPIRE', key, ttl) end
end
local function unconverted(key, converted)
  local value = redis.call('GET', key)
  local sha = redis.sha1hex(value)
  if converted == '' or sha ~= converted then return {'legacy', value, sha} end
  return nil
end
-- The children of a fork: each of KEYS[first..last] becomes what start(key) left in it, then
-- ARGV[from..], with the TTL; false (and the rest left alone) when start returns false.
local function write_children(first, last, ttl, start, from)
  for i = first, last do
    if start(KEYS[i]) == false then return false end
    push(KEYS[i], ARGV, from)
    expire(KEYS[i], ttl)
  end
  return true
end
local function server_ms()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
end`;

/**
 * The write fence: ARGV[1] is the caller's deadline in the server's clock (ms since the epoch,
 * from TIME; 0 for none). Past it, the script answers a DEADLINE error and writes nothing;
 * otherwise ARGV[1] is removed, so the script's own arguments start at ARGV[1]. Scripts are
 * replicated by their effects (Redis 5+), so reading TIME before writing is allowed.
 */
const FENCE = `
local deadline = tonumber(ARGV[1])
if deadline > 0 and server_ms() > deadline then
  return redis.error_reply('DEADLINE the write arrived after its deadline; nothing was changed')
end
table.remove(ARGV, 1)`;

function withPush(body: string): string {
  return `${PUSH}\n${body.trim()}\n`;
}

/** A writing script: the fence first, then the body (whose ARGV no longer holds the deadline). */
function fenced(body: string): string {
  return `${PUSH}\n${FENCE.trim()}\n${body.trim()}\n`;
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
const write = fenced(`
for _, key in ipairs(KEYS) do
  redis.call('DEL', key)
  if #ARGV > 1 then
    push(key, ARGV, 2)
    expire(key, ARGV[1])
  end
end
return 1`);

/** A Lua table literal of each type's link fields, from core's pair tables (one source). */
function luaLinks(links: Readonly<Record<string, readonly string[]>>): string {
  const entries = Object.entries(links).map(
    ([type, fields]) => `['${type}'] = {${fields.map((field) => `'${field}'`).join(", ")}}`,
  );
  return `{${entries.join(", ")}}`;
}

/**
 * `pair_role(element)`: core's `elementPairRole` in Lua: 'reasoning', 'call' or 'output' and
 * the link, or nil. Only an element that names a reasoning type or a link field is decoded:
 * about 1.5x-2x faster appends (`pnpm --filter @agents-memory/bench run append-window`).
 */
const PAIR_ROLE = `
local CALL_LINKS = ${luaLinks(TOOL_CALL_LINKS)}
local OUTPUT_LINKS = ${luaLinks(TOOL_OUTPUT_LINKS)}
local PAIR_HINTS = {'"reasoning"', '"callId"', '"call_id"', '"approval_request_id"', '"mcp_approval_request"'}
local function pair_role(value)
  local hinted = false
  for _, hint in ipairs(PAIR_HINTS) do
    if string.find(value, hint, 1, true) then hinted = true break end
  end
  if not hinted then return nil end
  local ok, item = pcall(cjson.decode, value)
  if not (ok and type(item) == 'table') then return nil end
  local kind, fields = nil, nil
  if item.type == 'reasoning' then return 'reasoning' end
  if item.type == 'hosted_tool_call' then
    local data = item.providerData
    if type(data) ~= 'table' then data = {} end
    local kind, link = data.type, nil
    if type(kind) ~= 'string' then kind = item.name end
    if kind == 'mcp_approval_request' then
      link = data.id
      if link == nil or link == cjson.null then link = item.id end
      kind = 'call'
    elseif kind == 'mcp_approval_response' then
      link = data.approval_request_id
      kind = 'output'
    else
      return nil
    end
    if type(link) == 'string' and link ~= '' then return kind, link end
    return nil
  end
  if type(item.type) ~= 'string' then return nil end
  if CALL_LINKS[item.type] then kind, fields = 'call', CALL_LINKS[item.type]
  elseif OUTPUT_LINKS[item.type] then kind, fields = 'output', OUTPUT_LINKS[item.type]
  else return nil end
  for _, field in ipairs(fields) do
    local link = item[field]
    if type(link) == 'string' and link ~= '' then return kind, link end
  end
  return nil
end

-- The pair-safe start of the newest limit items of the list at key (0-based): core's windowStartBy.
local function window_start(key, limit)
  local count = redis.call('LLEN', key)
  local start = math.max(0, count - limit)
  if start >= count then return start end
  -- The elements from the one before the window (when there is one) to the end.
  local base = math.max(0, start - 1)
  local elements = redis.call('LRANGE', key, base, -1)
  local roles = {}
  local function role(index)
    local known = roles[index]
    if known == nil then
      local kind, link = pair_role(elements[index - base + 1])
      known = {kind or false, link}
      roles[index] = known
    end
    return known[1], known[2]
  end
  local calls = {}
  local index = start
  while index < count do
    local moved = false
    if index == start and start > 0 and role(start - 1) == 'reasoning' then
      start = start + 1
      moved = true
    else
      local kind, link = role(index)
      if kind == 'output' and not calls[link] then
        start = index + 1
        calls = {}
        moved = true
      elseif kind == 'call' then
        calls[link] = true
      end
    end
    if moved then index = start else index = index + 1 end
  end
  return start
end`;

/**
 * The token budget's part of the window rule. `token_count(element)`: core's `storedTokenCount`
 * (0 for an element without a stored count: a script cannot count, the session's read does).
 * `token_limit(key, limit, max_tokens)`: core's `tokenWindowLimit` over the list at key, the
 * item limit that puts the window's floor where its suffix fits max_tokens (0: no budget), for
 * `window_start(key, token_limit(...))`.
 */
const TOKENS = `
local TOKEN_PREFIX = '${TOKEN_COUNT_PREFIX}'
local function token_count(element)
  if string.sub(element, 1, #TOKEN_PREFIX) ~= TOKEN_PREFIX then return 0 end
  return tonumber(string.match(element, '^(%d+)[,}]', #TOKEN_PREFIX + 1)) or 0
end
local function token_limit(key, limit, max_tokens)
  if max_tokens <= 0 then return limit end
  local count = redis.call('LLEN', key)
  local elements = redis.call('LRANGE', key, math.max(0, count - limit), -1)
  local total = 0
  for i = #elements, 1, -1 do
    total = total + token_count(elements[i])
    if total > max_tokens then return #elements - i end
  end
  return limit
end`;

/**
 * The chained layout (see core's `store/chain-link.ts`): a list whose first element is a link
 * holds its own items after it, and its history continues in the link's parent (its newest
 * `take` items). A list without a link ends the chain, and so does a legacy string (read
 * client-side), a missing key, a value of another type, a key seen before (a cycle), a link
 * `follow` refuses (another chat's key, another prefix, a key that is no reply key, a bad
 * `take`), or more than WALK_SLACK keys that hold no items.
 */
const CHAIN = `
${CHAIN_LINK_LUA}
-- The newest limit items (-1: all) of key's history, oldest first, from the lists along the
-- chain; where the walk ended early, tail = {kind, value, limit, at, detail}: {} when nothing
-- more was wanted; {'string', value, how many of its newest items, key} at a legacy string;
-- {'missing', '', 0, key} at a link to a key that is gone (expired, evicted or deleted);
-- {type, '', 0, key} at a value of another type; {'refused', parent, 0, key, reason} at a link
-- not followed; {'deep', parent, 0, key} after WALK_SLACK + 1 keys that added no items;
-- {'cycle', '', 0, key} at a key seen before; and the lists read, newest first, each
-- {elements, index of the first one returned, key, whether elements[1] is its link}. One LRANGE per list (the newest limit + 1
-- elements hold a short list's link, or enough of a long one's items); the walk stops once
-- limit items are found, so it reads at most limit + WALK_SLACK + 1 keys.
local function walk(key, limit)
  local parts, seen, tail, idle = {}, {}, {}, 0
  while key and limit ~= 0 do
    if seen[key] then tail = {'cycle', '', 0, key} break end
    seen[key] = true
    local got = redis.pcall('LRANGE', key, (limit < 0 or limit >= 1e9) and 0 or -(limit + 1), -1)
    if type(got) == 'table' and got.err then
      local kind = redis.call('TYPE', key).ok
      if kind == 'string' then tail = {'string', redis.call('GET', key), limit, key} else tail = {kind, '', 0, key} end
      break
    end
    if #got == 0 then
      if #parts > 0 then tail = {'missing', '', 0, key} end
      break
    end
    local parent, take, named = follow(key, got[1])
    local first = 1
    if parent ~= nil then first = 2 end
    if limit >= 0 and #got - first + 1 > limit then first = #got - limit + 1 end
    parts[#parts + 1] = {got, first, key, parent ~= nil}
    local added = #got - first + 1
    if added == 0 then idle = idle + 1 end
    if limit >= 0 then limit = limit - added end
    if parent == nil or limit == 0 then break end
    if parent == false then tail = {'refused', named, 0, key, take} break end
    if idle > WALK_SLACK then tail = {'deep', parent, 0, key} break end
    if limit < 0 or take < limit then limit = take end
    key = parent
  end
  local elements = {}
  for i = #parts, 1, -1 do
    local got, first = parts[i][1], parts[i][2]
    for j = first, #got do elements[#elements + 1] = got[j] end
  end
  return elements, tail, parts
end
-- Before an operation changes a reply key in place (append, pop, transact, a function call's
-- replacement): a key that starts with a link becomes a plain list of its whole history as a
-- read returns it, keeping its TTL, so the change applies to that history. A history that
-- continues in a legacy string is refused (Lua's cjson would reorder its objects' keys).
local function flatten(key)
  local first = redis.call('LINDEX', key, 0)
  if not first or follow(key, first) == nil then return end
  local elements, tail = walk(key, -1)
  if tail[1] == 'string' then
    error({err = 'LEGACY the history links to a legacy JSON string; read it and replace it to change it; nothing was changed'})
  end
  rewrite(key, elements, 1)
end`;

/**
 * APPEND KEYS[1]; ARGV[1] = maxItems, ARGV[2] = TTL seconds, ARGV[3] = maxTokens (0: none),
 * ARGV[4] = sha1 of the legacy string the caller converted ('' on the first try), ARGV[5] =
 * count L of converted legacy elements, ARGV[6..] = the L legacy elements, then the new ones.
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
const append = fenced(`
${PAIR_ROLE}
${TOKENS}
${CHAIN}
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
local from = 6 + tonumber(ARGV[5])
local replaced = ''
if kind == 'string' then
  local legacy = unconverted(key, ARGV[4])
  if legacy then return legacy end
  redis.call('DEL', key)
  from = 6
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
const forkCopy = fenced(`
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
 * READ_CHAIN KEYS[1]; ARGV[1] = newest n to return, or -1 for all. Returns {elements, tailKind,
 * tailValue, tailLimit, lists, tailKey, tailDetail}: the elements of the lists along the chain,
 * oldest first (see `walk`: at most n + WALK_SLACK + 1 keys, whatever the conversation's
 * length); where the walk ended (`walk`'s tail: '' when nothing is left to read; 'string' with
 * the legacy value and how many of its newest items to read before `elements`; 'missing',
 * 'refused', 'deep', 'cycle', or another type's name, with the key where it ended, and for
 * 'refused' the key the link names and why); how many lists were walked (0: the key
 * itself is not a list); and, for the fork that follows (see FORK_CHAIN and `chain-hint.ts`),
 * the first key's link when the walk followed it ('' otherwise) and each list walked, newest
 * first, as its key and how many of its newest elements were returned, flat.
 */
const readChain = withPush(`
${CHAIN}
local elements, tail, parts = walk(KEYS[1], tonumber(ARGV[1]))
local head, lists = '', {}
if #parts > 0 and parts[1][4] then head = parts[1][1][1] end
for _, part in ipairs(parts) do
  lists[#lists + 1] = part[3]
  lists[#lists + 1] = #part[1] - part[2] + 1
end
return {elements, tail[1] or '', tail[2] or '', tail[3] or 0, #parts, tail[4] or '', tail[5] or '', head, lists}`);

/**
 * FORK_CHAIN KEYS[1] = parent, KEYS[2..1+c] = the c children, KEYS[2+c..] = the other keys
 * holding the newest n items of the parent's history as the read found them, newest first
 * (see `chain-hint.ts`); ARGV[1] = TTL seconds, ARGV[2] = n (how many items the caller read
 * from the parent), ARGV[3] = their fingerprint (as in FORK_COPY), ARGV[4] = k (how many of
 * those, the newest, the children's window keeps; 1 <= k <= n), ARGV[5] = the link element
 * naming the parent and k, ARGV[6] = c, ARGV[7] = the parent's link as the read found it (''
 * for none), ARGV[8] = 1 when the script may read TIME (0: the server refuses writes after it),
 * ARGV[9..8+m] = how many of the n items each of the m parent and other keys holds (its newest),
 * then the new elements.
 *
 * Links instead of copying: each child becomes {link, new elements...}, when the newest n items
 * of the parent's history are in those lists and their oldest and newest hash to the
 * fingerprint, and no child is one of those keys. Every key the children's window reads from
 * lives at least as long as the children (a TTL of 0: none of them expires), so a reply's
 * history stays whole as long as the reply lives. Each link carries a floor (see
 * `ChainLink.floor`): when the parent's link is the one the read found and its floor outlasts
 * the children, or the children's window lies in the parent alone, only the parent's TTL is
 * raised and no other key is touched but the one holding the oldest of the n items (one
 * LINDEX for the fingerprint). Otherwise the script walks the declared keys as `walk` does
 * (LLEN and LINDEX 0 per list, never a link `follow` refuses, at most WALK_SLACK + 1 keys that
 * add no items, and only the keys declared, in their order) and raises each key the window
 * reads from. A raise gives TTL + TTL / CHAIN_TTL_SLACK_DIVISOR (PEXPIRE GT, Redis 7: never
 * lowered, and a key without TTL keeps none), so such walks happen about once per TTL / 8 of a
 * conversation. What the fast way cannot see: an ancestor deleted or evicted since the read.
 * Returns 1; otherwise (or when a child may not link to the parent, see `link_refusal`) writes
 * nothing and returns 0: the store then sends the full list, so a key outside the conversation
 * is never linked to nor has its TTL raised.
 */
const forkChain = fenced(`
${CHAIN}
local ttl, n, k = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local link, c, head = ARGV[5], tonumber(ARGV[6]), ARGV[7]
if n < 1 or k < 1 or k > n then return 0 end
local parent = KEYS[1]
local chain, counts, declared = {parent}, {}, {[parent] = true}
for i = 2 + c, #KEYS do
  chain[#chain + 1] = KEYS[i]
  declared[KEYS[i]] = true
end
for i = 1, #chain do counts[i] = tonumber(ARGV[8 + i]) end
for i = 2, 1 + c do
  if declared[KEYS[i]] or link_refusal(KEYS[i], parent) then return 0 end
end
local ttl_ms = ttl * 1000
local now = nil
if ARGV[8] == '1' then now = server_ms() end
-- floor: the earliest expiry of the window's keys that this fork does not raise (0: none).
local function outlasts(floor)
  return floor == 0 or (floor ~= nil and now ~= nil and ttl_ms > 0 and floor >= now + ttl_ms)
end
-- segments: the lists holding the n items, newest first, {key, how many}; window: the keys
-- the children's window reads from that this fork raises.
local segments, window, floor = {}, {parent}, nil
if counts[1] >= k then
  floor = 0
elseif head ~= '' and outlasts(link_floor(head)) and redis.call('LINDEX', parent, 0) == head then
  floor = link_floor(head)
end
if floor ~= nil then
  for i, key in ipairs(chain) do segments[i] = {key, counts[i]} end
else
  window, floor = {}, 0
  local key, rn, rk, idle, at = parent, n, k, 0, 1
  while key and rn > 0 do
    if key ~= chain[at] then return 0 end
    at = at + 1
    local len = redis.pcall('LLEN', key)
    if type(len) ~= 'number' or len == 0 then break end
    local up, take = follow(key, redis.call('LINDEX', key, 0))
    local from = up ~= nil and 1 or 0
    if len - from > rn then from = len - rn end
    segments[#segments + 1] = {key, len - from}
    if rk > 0 then window[#window + 1] = key end
    if len == from then idle = idle + 1 end
    rn = rn - (len - from)
    rk = math.max(0, rk - (len - from))
    -- A refused link (false) or too many keys without items: the walk ends short of n (0 below).
    if not up or idle > WALK_SLACK then break end
    rn = math.min(rn, take)
    rk = math.min(rk, take)
    key = up
  end
  if rn > 0 then return 0 end
end
local function newest(back)
  for _, segment in ipairs(segments) do
    if back <= segment[2] then return redis.call('LINDEX', segment[1], -back) end
    back = back - segment[2]
  end
  return nil
end
local oldest, last = newest(n), newest(1)
if not (oldest and last) then return 0 end
if redis.sha1hex(oldest) .. redis.sha1hex(last) ~= ARGV[3] then return 0 end
local raise_ms = ttl_ms + math.floor(ttl_ms / ${CHAIN_TTL_SLACK_DIVISOR})
for _, key in ipairs(window) do
  -- TTL 0 means no expiry: the keys the window reads from must not expire either.
  if ttl_ms == 0 then
    redis.call('PERSIST', key)
  else
    local raised = redis.pcall('PEXPIRE', key, raise_ms, 'GT')
    if type(raised) == 'table' and raised.err then
      -- Before Redis 7 (no GT): the same rule by hand.
      local left = redis.call('PTTL', key)
      if left >= 0 and left < raise_ms then redis.call('PEXPIRE', key, raise_ms) end
    end
  end
end
-- The children's floor: the earlier of the raised keys' expiry and the rest's (0: never).
if ttl_ms > 0 then
  if now == nil then floor = nil
  elseif floor == 0 or floor > now + raise_ms then floor = now + raise_ms end
end
if floor ~= nil then link = with_floor(link, floor) end
write_children(2, 1 + c, ttl, function(child)
  redis.call('DEL', child)
  redis.call('RPUSH', child, link)
end, 9 + #chain)
return 1`);

/**
 * POP KEYS[1]; ARGV[1] = sha1 of the legacy string the caller converted ('' on the first try),
 * ARGV[2..] = that string's items but the newest, as elements.
 *
 * On a list (flattened first when it links to its parent, see `flatten`): pops from the right
 * until an element that may be a JSON object (`{` after optional whitespace) comes off; others are dropped as malformed. The caller's JSON parser
 * decides: it pops again when it rejects what came off. Returns {'item', skipped, element} or
 * {'empty', skipped}.
 * On a legacy string: converted client-side, as in APPEND. When it is not the string the caller
 * converted, changes nothing and returns {'legacy', value, sha1(value)}; otherwise the key
 * becomes the list of ARGV[2..], keeping its remaining TTL, and the script returns
 * {'converted'} (the caller holds the newest item). Anything else: {'none'}.
 */
const pop = fenced(`
${CHAIN}
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'string' then
  local legacy = unconverted(key, ARGV[1])
  if legacy then return legacy end
  rewrite(key, ARGV, 2)
  return {'converted'}
end
if kind ~= 'list' then return {'none'} end
flatten(key)
local skipped = 0
while true do
  local value = redis.call('RPOP', key)
  if not value then return {'empty', skipped} end
  if string.find(value, '^%s*{') then return {'item', skipped, value} end
  skipped = skipped + 1
end`);

/** CLEAR KEYS: deletes the keys (a history and its operation record, one slot). Returns 1. */
const clear = fenced(`
redis.call('DEL', unpack(KEYS))
return 1`);

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
 * fingerprint, same slot: see `operationsKey`); ARGV[1] = operationId, ARGV[2] = fingerprint,
 * ARGV[3] = maxItems (0: no trim), ARGV[4] = TTL seconds (0: no expiry), ARGV[5] = maxTokens
 * (0: none), ARGV[6] = sha1 of the legacy string the caller converted ('' on the first try),
 * ARGV[7] = count L of its elements, ARGV[8..7+L] = them, ARGV[8+L] = count n of the expected
 * suffix, the n expected elements, then the new elements (an append is a replace of an empty
 * suffix).
 *
 * The id recorded with the same fingerprint: changes nothing, returns {'already'}; with another:
 * a CONFLICT operation-reused error. Then the stored history (the list, flattened when it
 * links to its parent, see `flatten`; a legacy string as the
 * caller converted it, checked by sha1 as in APPEND, else {'legacy', value, sha1(value)}; none
 * or a foreign type as empty) must end with the n expected elements, compared with `same_json`,
 * else a CONFLICT suffix-mismatch error. Only then: the suffix is replaced by the new elements,
 * the list cut to its pair-safe window (`window_start`, within maxTokens: `token_limit`), the id recorded, and both keys get the
 * TTL (or lose theirs). Returns {'applied', replacedType or ''}.
 */
const transact = fenced(`
${PAIR_ROLE}
${TOKENS}
${SAME_JSON}
${CHAIN}
local key, record = KEYS[1], KEYS[2]
local recorded = redis.call('HGET', record, ARGV[1])
if recorded then
  if recorded == ARGV[2] then return {'already'} end
  return redis.error_reply('CONFLICT operation-reused: the operation id was recorded with another transaction; nothing was changed')
end
local legacy_count = tonumber(ARGV[7])
local n = tonumber(ARGV[8 + legacy_count])
local expected_from = 9 + legacy_count
local kind = redis.call('TYPE', key).ok
local replaced = ''
local current = nil
if kind == 'string' then
  local legacy = unconverted(key, ARGV[6])
  if legacy then return legacy end
  current = {}
  for i = 8, 7 + legacy_count do current[#current + 1] = ARGV[i] end
  if legacy_count == 0 then replaced = 'string' end
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
redis.call('HSET', record, ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[4])
for _, target in ipairs({key, record}) do
  if ttl > 0 then redis.call('EXPIRE', target, ttl) else redis.call('PERSIST', target) end
end
return {'applied', replaced}`);

/**
 * REPLACE_FUNCTION_CALL KEYS[1]; ARGV[1] = callId, ARGV[2] = the replacement element,
 * ARGV[3] = sha1 of the legacy string the caller converted ('' on the first try),
 * ARGV[4..] = that string's items with the replacement already applied, as elements.
 *
 * The SDK's `applySessionHistoryMutations` for one `replace_function_call`: the first element
 * whose `type` is function_call and `callId` is ARGV[1] becomes ARGV[2] (LSET), later ones are
 * removed (LREM of a marker no JSON element can equal), along the whole history (a list that
 * links to its parent is flattened first, see `flatten`); the key keeps its TTL. Returns
 * {'replaced'} or {'none'} (nothing found: nothing changed). A legacy string, as in APPEND: when
 * not the one converted, {'legacy', value, sha1(value)}; when it is, the key becomes the list of
 * ARGV[4..] with its TTL kept, and the script returns {'replaced'}. A foreign type: {'none'}.
 */
const replaceFunctionCall = fenced(`
${CHAIN}
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'string' then
  local legacy = unconverted(key, ARGV[3])
  if legacy then return legacy end
  rewrite(key, ARGV, 4)
  return {'replaced'}
end
if kind ~= 'list' then return {'none'} end
flatten(key)
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
return {'replaced'}`);

/**
 * Claims (see `store/claims.ts`): KEYS[1] is a plain string, `run:<holder>` with the lease as
 * its PX expiry while the work runs, `done` once finished (PX: how long that is kept). A lease
 * that runs out is the key expiring, so a dead holder's claim frees itself, in the server's
 * clock. A key of another type fails with WRONGTYPE: a claim key is never a history.
 *
 * CLAIM ARGV[1] = holder, ARGV[2] = lease ms: {'claimed'} (new, or the holder's own, renewed),
 * {'held', holder} or {'done'}. A string that is no claim is refused, never overwritten.
 */
const claim = fenced(`
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], 'run:' .. ARGV[1], 'PX', ARGV[2])
  return {'claimed'}
end
if value == 'done' then return {'done'} end
if value == 'run:' .. ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'claimed'}
end
if string.sub(value, 1, 4) == 'run:' then return {'held', string.sub(value, 5)} end
return redis.error_reply('CLAIM the key holds a string that is not a claim')`);

/** RENEW_CLAIM ARGV[1] = holder, ARGV[2] = lease ms: 1 when renewed, 0 when not the holder's. */
const renewClaim = fenced(`
if redis.call('GET', KEYS[1]) ~= 'run:' .. ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

/**
 * FINISH_CLAIM ARGV[1] = holder, ARGV[2] = keep ms: the key becomes `done` for that long;
 * 1 when it was the holder's running claim, 0 otherwise.
 */
const finishClaim = fenced(`
local value = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
if value == 'run:' .. ARGV[1] then return 1 end
return 0`);

/** RELEASE_CLAIM ARGV[1] = holder: deletes the holder's running claim (1), else 0. */
const releaseClaim = fenced(`
if redis.call('GET', KEYS[1]) ~= 'run:' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);

/**
 * USAGE_ADD KEYS[1] = a usage hash; ARGV[1] = TTL seconds (0: none), ARGV[2..] = field, amount
 * pairs (core's TOKEN_USAGE_FIELDS). HINCRBY each, then the TTL. Returns 1.
 */
const usageAdd = fenced(`
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
expire(KEYS[1], ARGV[1])
return 1`);

/** USAGE_READ KEYS[1]: the hash's fields and values, flat (none: an empty array). */
const usageRead = withPush(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return {} end
return redis.call('HGETALL', KEYS[1])`);

/** The full source of each script (prelude included), by operation. */
export const REDIS_LUA = Object.freeze({
  read,
  write,
  append,
  forkCopy,
  readChain,
  forkChain,
  pop,
  clear,
  transact,
  replaceFunctionCall,
  usageAdd,
  usageRead,
  claim,
  renewClaim,
  finishClaim,
  releaseClaim,
});
