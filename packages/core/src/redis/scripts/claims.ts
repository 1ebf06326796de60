import { fenced } from "./prelude";

/**
 * Claims (see `store/claims.ts`): KEYS[1] is a plain string, `run:<holder>` with the lease as
 * its PX expiry while the work runs, `done` once finished (PX: how long that is kept). A lease
 * that runs out is the key expiring, so a dead holder's claim frees itself, in the server's
 * clock. A key of another type fails with WRONGTYPE: a claim key is never a history.
 *
 * CLAIM ARGV[1] = holder, ARGV[2] = lease ms: {'claimed'} (new, or the holder's own, renewed),
 * {'held', holder} or {'done'}. A string that is no claim is refused, never overwritten.
 */
export const claim = fenced(`
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
export const renewClaim = fenced(`
if redis.call('GET', KEYS[1]) ~= 'run:' .. ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

/**
 * FINISH_CLAIM ARGV[1] = holder, ARGV[2] = keep ms: the key becomes `done` for that long;
 * 1 when it was the holder's running claim, 0 otherwise.
 */
export const finishClaim = fenced(`
local value = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
if value == 'run:' .. ARGV[1] then return 1 end
return 0`);

/** RELEASE_CLAIM ARGV[1] = holder: deletes the holder's running claim (1), else 0. */
export const releaseClaim = fenced(`
if redis.call('GET', KEYS[1]) ~= 'run:' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);
