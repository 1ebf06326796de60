import { fenced, withPush } from "./prelude";

/** Token usage counters per conversation: one hash. */

/**
 * USAGE_ADD KEYS[1] = a usage hash; ARGV[1] = TTL seconds (0: none), ARGV[2..] = field, amount
 * pairs (core's TOKEN_USAGE_FIELDS). HINCRBY each, then the TTL. Returns 1.
 */
export const usageAdd = fenced(`
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
expire(KEYS[1], ARGV[1])
return 1`);

/** USAGE_READ KEYS[1]: the hash's fields and values, flat (none: an empty array). */
export const usageRead = withPush(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return {} end
return redis.call('HGETALL', KEYS[1])`);

/** The full source of each script (prelude included), by operation. */
