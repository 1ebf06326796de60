/*
 * Where `transact` keeps a history's operation record on Redis: a companion key that Redis
 * Cluster hashes to the same slot as the history key, so one script can touch both.
 */

/**
 * The Redis key of the operation record (a hash operationId -> fingerprint) kept with the
 * history under `redisKey` (the full key, prefix included). Redis Cluster hashes a key by its
 * hash tag (the text between the first `{` and the first `}` after it, when not empty) or else
 * by the whole key (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags),
 * so the companion always lands in the history's slot:
 * - the key has a hash tag: `${redisKey}:ops` (same tag);
 * - it has none and no `}`: `{${redisKey}}:ops` (its tag is the whole key);
 * - it has none but a `}` (no tag can hold the whole key): `{am-ops:N}:${redisKey}:ops`, with
 *   N the smallest integer whose tag hashes to the key's slot.
 */
export function operationsKey(redisKey: string): string {
  if (hashTag(redisKey) !== undefined) return `${redisKey}:ops`;
  if (!redisKey.includes("}")) return `{${redisKey}}:ops`;
  const slot = keySlot(redisKey);
  for (let n = 0; ; n++) {
    const tag = `am-ops:${n}`;
    if (keySlot(tag) === slot) return `{${tag}}:${redisKey}:ops`;
  }
}

/**
 * The older operation record, where the record moves when it is full (see
 * `OPERATIONS_PER_RECORD`); same slot as {@link operationsKey}'s (its hash tag leads).
 */
export function olderOperationsKey(redisKey: string): string {
  return `${operationsKey(redisKey)}:older`;
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
