import { StoreError, silentLogger } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { startRedisCluster } from "@agents-memory/test-servers/cluster";
import { timed } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { failFastClusterOptions, IoRedisStore } from "../src";
import { majors } from "./__fixtures__/clients";

const cluster = await startRedisCluster();
afterAll(() => cluster.stop());

test("a fork whose children live on two masters, one refusing writes: unknown, not failed, and the written child is readable", async () => {
  const client = majors[0]!.cluster(cluster.nodes, failFastClusterOptions());
  client.on("error", () => {});
  const store = new IoRedisStore({ client, logger: silentLogger });
  const refusing = new Redis(cluster.servers[0]!.url);
  const options = { maxItems: 50, ttlSeconds: 60 };
  try {
    // That master answers every script call with a NOPERM error.
    await refusing.call("ACL", "SETUSER", "default", "-@scripting");
    const refused: string[] = [];
    const accepted: string[] = [];
    for (let i = 0; i < 40 && (refused.length === 0 || accepted.length === 0); i++) {
      const key = `am-partial-fork:${process.pid}:${i}`;
      const ok = await store.replace(key, [userItem("probe")], 60).then(
        () => true,
        () => false,
      );
      (ok ? accepted : refused).push(key);
    }
    expect(refused.length * accepted.length, "keys on both kinds of master").toBeGreaterThan(0);
    const children = [accepted[0]!, refused[0]!];
    const error = await store
      .fork(null, children, [userItem("answer")], { ...options, parentItems: [] })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(StoreError.isInstance(error), String(error)).toBe(true);
    expect((error as StoreError).outcome).toBe("unknown");
    expect((error as StoreError).message).toMatch(
      /written to 1 of 2 keys, not the others: .*NOPERM/,
    );
    await refusing.call("ACL", "SETUSER", "default", "+@all");
    expect(await store.read(children[0]!)).toEqual([userItem("answer")]);
    expect(await store.read(children[1]!)).toEqual([]);
  } finally {
    await refusing.call("ACL", "SETUSER", "default", "+@all");
    refusing.disconnect();
    await store.close();
    client.disconnect();
  }
}, 30_000);

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
