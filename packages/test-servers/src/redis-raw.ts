import type { RawAccess } from "@agents-memory/core/testing";
import type { Cluster, Redis } from "ioredis";

/**
 * The conformance suite's independent reader over a separate ioredis client (a `Redis` or a
 * `Cluster`): checks key types and TTLs as Redis itself reports them.
 */
export function redisRawAccess(client: Redis | Cluster): RawAccess {
  const scanKeys = async (prefix: string): Promise<string[]> => {
    const nodes =
      "nodes" in client && typeof client.nodes === "function"
        ? client.nodes("master")
        : [client as Redis];
    const found = new Set<string>();
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(
          cursor,
          "MATCH",
          `${escapeGlob(prefix)}*`,
          "COUNT",
          1000,
        );
        cursor = next;
        for (const key of keys) found.add(key);
      } while (cursor !== "0");
    }
    return [...found].sort();
  };
  return {
    type: (key) => client.type(key),
    ttlSeconds: (key) => client.ttl(key),
    elements: (key) => client.lrange(key, 0, -1),
    keys: scanKeys,
    async plant(key, value) {
      await client.del(key);
      if (value.type === "string") await client.set(key, value.value);
      else if (value.type === "other") await client.hset(key, "field", "value");
      else if (value.elements.length > 0) await client.rpush(key, ...value.elements);
      // An empty list cannot exist in Redis: planting one leaves the key missing.
    },
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
