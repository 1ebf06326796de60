import { silentLogger } from "@agents-memory/core";
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
