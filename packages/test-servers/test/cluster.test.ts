import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RedisCluster, startRedisCluster } from "../src/cluster";

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

test("three masters own all slots and an ioredis Cluster client reaches keys on each", async () => {
  expect(cluster.nodes).toHaveLength(3);
  expect(cluster.nodes.every((node) => node.port !== 6379)).toBe(true);
  const client = new Cluster(cluster.nodes, { lazyConnect: true });
  try {
    await client.connect();
    expect(client.nodes("master")).toHaveLength(3);
    // Keys chosen to land on different slots, hence different nodes.
    const keys = Array.from({ length: 30 }, (_, i) => `probe:${i}`);
    for (const key of keys) await client.set(key, key);
    for (const key of keys) expect(await client.get(key)).toBe(key);
    const counts = await Promise.all(client.nodes("master").map((node) => node.dbsize()));
    expect(counts.filter((n) => n > 0)).toHaveLength(3);
  } finally {
    client.disconnect();
  }
});
