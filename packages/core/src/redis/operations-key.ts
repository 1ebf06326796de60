import { OPERATIONS_SUFFIX } from "../store/companion-keys";

/*
 * Where `transact` keeps a history's operation record on Redis: a companion key that Redis
 * Cluster hashes to the same slot as the history key, so one script can touch both.
 */

/**
 * The Redis key of the operation record (a hash operationId -> fingerprint) kept with the
 * history under `redisKey` (the store's key, its prefix included), as the client is to send it:
 * `clientKeyPrefix` is what the client itself prepends to every key (ioredis's `keyPrefix`),
 * which Redis hashes with the rest. Redis Cluster hashes a key by its hash tag (the text
 * between the first `{` and the first `}` after it, when not empty) or else by the whole key
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags), so
 * the record always lands in the history's slot, the first of these that does:
 * - the key as Redis sees it has a hash tag: `${redisKey}${OPERATIONS_SUFFIX}` (same tag);
 * - it has no `}`: `{${clientKeyPrefix}${redisKey}}:ops` (its tag is the whole key);
 * - else `{am-ops:N}:${redisKey}:ops`, with N the smallest integer that puts it in the slot.
 */
export function operationsKey(redisKey: string, clientKeyPrefix = ""): string {
  const full = clientKeyPrefix + redisKey;
  const slot = keySlot(full);
  const fits = (candidate: string) => keySlot(clientKeyPrefix + candidate) === slot;
  const tagged = `${redisKey}${OPERATIONS_SUFFIX}`;
  if (hashTag(full) !== undefined && fits(tagged)) return tagged;
  const whole = `{${full}}${OPERATIONS_SUFFIX}`;
  if (!full.includes("}") && fits(whole)) return whole;
  for (let n = 0; ; n++) {
    const candidate = `{am-ops:${n}}:${redisKey}${OPERATIONS_SUFFIX}`;
    if (fits(candidate)) return candidate;
  }
}

/**
 * The older operation record, where the record moves when it is full (see
 * `OPERATIONS_PER_RECORD`); same slot as {@link operationsKey}'s (its hash tag leads).
 */
export function olderOperationsKey(redisKey: string, clientKeyPrefix = ""): string {
  return `${operationsKey(redisKey, clientKeyPrefix)}:older`;
}

/** The key's hash tag, or undefined when it has none. */
function hashTag(key: string): string | undefined {
  const open = key.indexOf("{");
  if (open < 0) return undefined;
  const close = key.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag or whole UTF-8 bytes, mod 16384. */
export function keySlot(key: string): number {
  const bytes = new TextEncoder().encode(hashTag(key) ?? key);
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc & 16383;
}
