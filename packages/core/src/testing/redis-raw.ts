import { olderOperationsKey, operationsKey } from "../redis/operations-key";
import type { RawAccess } from "./raw-access";

/**
 * Sends one raw Redis command and resolves with its reply (bulk strings as text), e.g.
 * `(...args) => client.call(...args)` on ioredis.
 */
export type RedisCall = (command: string, ...args: (string | number)[]) => Promise<unknown>;

/**
 * The suite's independent reader for any Redis-protocol store: a second client, not the store,
 * reports key types, TTLs and elements as Redis itself does, and plants raw values (legacy
 * strings, malformed elements, other types). On a Cluster, pass `nodes` (a call per master)
 * so that key listing scans every node.
 */
export function redisRawAccess(
  call: RedisCall,
  options: { nodes?: () => RedisCall[] } = {},
): RawAccess {
  return {
    type: async (key) => String(await call("TYPE", key)),
    ttlSeconds: async (key) => Number(await call("TTL", key)),
    elements: async (key) => ((await call("LRANGE", key, 0, -1)) as unknown[]).map(String),
    async keys(prefix) {
      const found = new Set<string>();
      for (const node of options.nodes?.() ?? [call]) {
        let cursor = "0";
        do {
          const [next, keys] = (await node(
            "SCAN",
            cursor,
            "MATCH",
            `${escapeGlob(prefix)}*`,
            "COUNT",
            1000,
          )) as [string, string[]];
          cursor = String(next);
          for (const key of keys) found.add(String(key));
        } while (cursor !== "0");
      }
      return [...found].sort();
    },
    async plant(key, value, ttlSeconds) {
      await call("DEL", key);
      if (value.type === "string") await call("SET", key, value.value);
      else if (value.type === "other") await call("HSET", key, "field", "value");
      else if (value.elements.length > 0) await call("RPUSH", key, ...value.elements);
      // An empty list cannot exist in Redis: planting one leaves the key missing.
      if (ttlSeconds !== undefined) await call("EXPIRE", key, ttlSeconds);
    },
    async operations(key) {
      // Both generations of the record (see `olderOperationsKey`), the older first.
      const entries: [string, string][] = [];
      for (const record of [olderOperationsKey(key), operationsKey(key)]) {
        entries.push(...hashEntries(await call("HGETALL", record)));
      }
      const ttlSeconds = Number(await call("TTL", operationsKey(key)));
      return { records: entries.length > 0 ? Object.fromEntries(entries) : null, ttlSeconds };
    },
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

/** A HGETALL reply as entries: RESP2 gives a flat [field, value, ...] array, RESP3 a map or an object. */
function hashEntries(reply: unknown): [string, string][] {
  if (Array.isArray(reply)) {
    return Array.from({ length: reply.length / 2 }, (_, i) => [
      String(reply[2 * i]),
      String(reply[2 * i + 1]),
    ]);
  }
  if (reply instanceof Map) return [...reply].map(([k, v]) => [String(k), String(v)]);
  return Object.entries((reply ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}
