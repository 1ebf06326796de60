import { StoreError, silentLogger } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { startRedisCluster } from "@agents-memory/test-servers/cluster";
import { timed } from "@agents-memory/test-servers/testing";
import { afterAll, expect, test } from "vitest";
import { failFastClusterOptions, IoRedisStore } from "../src";
import { majors } from "./__fixtures__/clients";

const cluster = await startRedisCluster();
afterAll(() => cluster.stop());

test("a Cluster master killed: calls for its slots settle within the command timeout, the others still work", async () => {
  const stores = majors.map((major) => {
    const client = major.cluster(cluster.nodes, failFastClusterOptions({ commandTimeoutMs: 200 }));
    client.on("error", () => {});
    return { name: major.name, client, store: new IoRedisStore({ client, logger: silentLogger }) };
  });
  const keys = Array.from({ length: 30 }, (_, index) => `am-cluster-fault:${index}`);
  try {
    for (const key of keys) {
      await stores[0]!.store.append(key, [userItem(key)], { maxItems: 5, ttlSeconds: 60 });
    }
    for (const { store } of stores) expect(await store.read(keys[0]!)).toHaveLength(1);

    await cluster.servers[0]!.kill();

    for (const { name, store } of stores) {
      let failed = 0;
      for (const key of keys) {
        const call = await timed(() => store.read(key));
        // The 200 ms command timeout plus slack for a loaded machine; a client that waited for the
        // master to come back would never settle here.
        expect(call.ms, `${name} ${key}`).toBeLessThan(1500);
        if (call.error) {
          expect(StoreError.isInstance(call.error)).toBe(true);
          // A MOVED met on the way is no sign of a single-node client: no advice to switch.
          expect((call.error as Error).message).not.toMatch(/redis\+cluster:\/\/ URL/);
          failed++;
        } else {
          expect(call.value).toEqual([userItem(key)]);
        }
      }
      // About a third of the keys lived on the dead master; the rest answered.
      expect(failed, name).toBeGreaterThan(0);
      expect(failed, name).toBeLessThan(keys.length);
    }
  } finally {
    for (const { store, client } of stores) {
      await store.close();
      client.disconnect();
    }
  }
}, 30_000);
