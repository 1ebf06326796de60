import { CHAIN_LINK_LUA, CHAIN_TTL_SLACK_DIVISOR } from "../../store/chain-link";
import { fenced, withPush } from "./prelude";

/**
 * The chained layout (see core's `store/chain-link.ts`): a list whose first element is a link
 * holds its own items after it, and its history continues in the link's parent (its newest
 * `take` items). A list without a link ends the chain, and so does a legacy string (read
 * client-side), a missing key, a value of another type, a key seen before (a cycle), a link
 * `follow` refuses (another chat's key, another prefix, a key that is no reply key, a bad
 * `take`), or more than WALK_SLACK keys that hold no items.
 */
/**
 * The line of CHAIN that says the script runs where it may touch only the keys it declares
 * (Upstash's `allow-key-locking`): the flagged body has `true` in its place (see
 * `script-runner.ts`), so a change in place on a key that links to its parent refuses there
 * with a KEYLOCKED error, nothing changed, and runs again without the flag.
 */
export const KEY_LOCKED_LINE = "local KEY_LOCKED = false";

export const CHAIN = `
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
-- continues in a legacy string is refused (Lua's cjson would reorder its objects' keys). A
-- script that may touch only its declared keys (KEY_LOCKED: see KEY_LOCKED_LINE) refuses
-- before any write, and the store runs it again without that flag.
${KEY_LOCKED_LINE}
local function flatten(key)
  local first = redis.call('LINDEX', key, 0)
  if not first or follow(key, first) == nil then return end
  if KEY_LOCKED then
    error({err = 'KEYLOCKED the key links to its parent, which this script may not read under allow-key-locking; nothing was changed'})
  end
  local elements, tail = walk(key, -1)
  if tail[1] == 'string' then
    error({err = 'LEGACY the history links to a legacy JSON string; read it and replace it to change it; nothing was changed'})
  end
  rewrite(key, elements, 1)
end`;

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
export const readChain = withPush(`
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
export const forkChain = fenced(`
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
