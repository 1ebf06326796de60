import { Cluster, Redis } from "ioredis";
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

test("a killed master brought back by restartNode serves its slots again (its data is gone)", async () => {
  const client = new Cluster(cluster.nodes, { lazyConnect: true });
  client.on("error", () => {});
  try {
    await client.connect();
    const victim = cluster.servers[0]!;
    const keys = Array.from({ length: 30 }, (_, i) => `restart:${i}`);
    for (const key of keys) await client.set(key, "before");
    const onVictim = await victimKeys(victim.port, keys);
    expect(onVictim.length).toBeGreaterThan(0);

    await victim.kill();
    await cluster.restartNode(0);

    for (const key of onVictim) {
      await expect(client.set(key, "after")).resolves.toBe("OK");
    }
    const survivors = keys.filter((key) => !onVictim.includes(key));
    for (const key of survivors) expect(await client.get(key)).toBe("before");
    expect(await client.get(onVictim[0]!)).toBe("after");
    expect(await victimKeys(victim.port, onVictim)).toEqual(onVictim);
  } finally {
    client.disconnect();
  }
});

/** The keys held by the node on `port`, read with a plain connection to that node. */
async function victimKeys(port: number, keys: string[]): Promise<string[]> {
  const node = new Redis(port, "127.0.0.1");
  try {
    const present = await Promise.all(keys.map((key) => node.exists(key).catch(() => 0)));
    return keys.filter((_, i) => present[i] === 1);
  } finally {
    node.disconnect();
  }
}
