import { silentLogger } from "@agents-memory/core";
import { keySlot, operationsKey } from "@agents-memory/core/redis";
import { runStoreConformance } from "@agents-memory/core/testing";
import { startRedisCluster } from "@agents-memory/test-servers/cluster";
import { redisRawAccess } from "@agents-memory/test-servers/redis-raw";
import { Cluster } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { failFastClusterOptions, IoRedisStore, queuingRisks } from "../src";
import { majors } from "./__fixtures__/clients";

// Three `redis-server --cluster-enabled yes` masters joined by `redis-cli --cluster create`.
const cluster = await startRedisCluster();
// The independent reader: a separate, plain Cluster client (it scans every master).
const rawClient = new Cluster(cluster.nodes);
const raw = redisRawAccess(rawClient);

afterAll(async () => {
  rawClient.disconnect();
  await cluster.stop();
});

describe.each(majors)("$name, a Cluster client", (major) => {
  const client = major.cluster(cluster.nodes, failFastClusterOptions());
  afterAll(() => client.disconnect());

  test("the fail-fast cluster options leave nothing to warn about", () => {
    expect(queuingRisks(client)).toEqual([]);
  });

  runStoreConformance(test, () => new IoRedisStore({ client, logger: silentLogger }), {
    raw,
    groups: { legacy: true },
    layout: "copy",
    cluster: true,
  });

  test("a Cluster keeps the copy layout: every reply key holds its whole window", async () => {
    const store = new IoRedisStore({ client, logger: silentLogger });
    expect(store.layout).toBe("copy");
    expect(() => new IoRedisStore({ client, layout: "chain", logger: silentLogger })).toThrow(
      /single Redis node/,
    );
    const prefix = `am-cluster-copy:${major.name}:${Date.now()}:`;
    const items = (turn: number) => [
      { role: "user" as const, content: `q${turn}` },
      { role: "user" as const, content: `a${turn}` },
    ];
    let parent: string | null = null;
    const expected: string[] = [];
    for (let turn = 0; turn < 5; turn++) {
      const child = `${prefix}m${turn}`;
      const read = parent === null ? [] : await store.read(parent, 6);
      await store.fork(parent, [child], items(turn), {
        maxItems: 6,
        ttlSeconds: 600,
        parentItems: read,
      });
      expected.push(...items(turn).map((item) => JSON.stringify(item)));
      // No link: the raw list is the window itself (the newest 6 items).
      expect(await raw.elements(child)).toEqual(expected.slice(-6));
      parent = child;
    }
  });

  test("a multi-message fork reaches children that live on different nodes", async () => {
    const store = new IoRedisStore({ client, logger: silentLogger });
    const prefix = `am-cluster:${major.name}:${Date.now()}:`;
    const parent = `${prefix}parent`;
    const children = Array.from({ length: 12 }, (_, index) => `${prefix}child${index}`);
    await store.replace(parent, [{ role: "user", content: "history" }], 600);
    const read = await store.read(parent);
    await store.fork(parent, children, [{ role: "user", content: "new" }], {
      maxItems: 10,
      ttlSeconds: 600,
      parentItems: read,
    });
    for (const child of children) {
      expect(await store.read(child)).toEqual([
        { role: "user", content: "history" },
        { role: "user", content: "new" },
      ]);
    }
    // The children really are spread over the masters, so no CROSSSLOT was possible to hide.
    const holders = await Promise.all(
      rawClient.nodes("master").map(async (node) => (await node.keys(`${prefix}child*`)).length),
    );
    expect(holders.filter((count) => count > 0).length).toBeGreaterThan(1);
  });
});

describe("the operation record of transact, on the Cluster", () => {
  // Keys with a hash tag, without one, and without one but with a `}` (no tag can hold them).
  const shapes = ["plain", "bot:{42}:7", "a}b", "{}x", "x{}y}z", "user:{open", "ключ}😀", "{}"];

  test("operationsKey lands in its history's slot, as the Cluster itself hashes them", async () => {
    for (const shape of shapes) {
      const key = `am-cluster-ops:${shape}`;
      const slot = Number(await rawClient.cluster("KEYSLOT", key));
      expect(Number(await rawClient.cluster("KEYSLOT", operationsKey(key))), shape).toBe(slot);
      expect(keySlot(key), shape).toBe(slot);
    }
  });

  test.each(majors)(
    "$name: transact and clear touch the history and its record on one node",
    async (major) => {
      const client = major.cluster(cluster.nodes, failFastClusterOptions());
      const store = new IoRedisStore({ client, logger: silentLogger });
      try {
        const prefix = `am-cluster-tx:${major.name}:${Date.now()}:`;
        for (const shape of shapes) {
          const key = `${prefix}${shape}`;
          const items = [{ role: "user" as const, content: shape }];
          const change = { type: "append_items" as const, items };
          const options = { operationId: "op-1", fingerprint: "fp-1", ttlSeconds: 600 };
          expect(await store.transact(key, change, options)).toBe("applied");
          expect(await store.transact(key, change, options)).toBe("already-applied");
          expect(await store.read(key)).toEqual(items);
          // Both keys held by one master: the others answer MOVED, the owner counts both (a
          // multi-key EXISTS across slots would answer CROSSSLOT).
          const counts = await Promise.all(
            rawClient
              .nodes("master")
              .map((node) =>
                node.exists(key, operationsKey(key)).catch((error: Error) => error.message),
              ),
          );
          expect(
            counts.filter((count) => count === 2),
            JSON.stringify(counts),
          ).toHaveLength(1);
          expect(counts.filter((count) => String(count).startsWith("MOVED"))).toHaveLength(2);
          await store.clear(key);
          expect(await rawClient.exists(key, operationsKey(key))).toBe(0);
        }
      } finally {
        await store.close();
        client.disconnect();
      }
    },
  );
});
