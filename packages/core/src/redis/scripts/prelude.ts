/** The pieces every script of the layout starts with: pushing lists, TTLs, the write fence. */

/**
 * RPUSH `list[from..to]` onto `key` in chunks (Lua's unpack has a stack limit); `expire` sets
 * a TTL in seconds, or for 0 makes the key persistent (a session with no expiry); `rewrite`
 * makes the key exactly `list[from..to]` (to: the end), keeping its remaining TTL;
 * `legacy_args(at)` reads the legacy conversion every writing script takes at ARGV[at] (the
 * sha1 of the string the caller converted, '' on the first try; a count L; the L elements) as
 * sha1, index of the first element, index of the last; `unconverted` is the check
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
local function rewrite(key, list, from, to)
  to = to or #list
  local ttl = redis.call('PTTL', key)
  redis.call('DEL', key)
  push(key, list, from, to)
  if ttl > 0 and from <= to then redis.call('PEXPIRE', key, ttl) end
end
local function legacy_args(at)
  return ARGV[at], at + 2, at + 1 + tonumber(ARGV[at + 1])
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

export function withPush(body: string): string {
  return `${PUSH}\n${body.trim()}\n`;
}

/** A writing script: the fence first, then the body (whose ARGV no longer holds the deadline). */
export function fenced(body: string): string {
  return `${PUSH}\n${FENCE.trim()}\n${body.trim()}\n`;
}
