import assert from "node:assert/strict";
import type { GroupContext } from "../group-context";
import { numbered, texts } from "../items";

/** TTL: every write sets it, and keys expire (the expiry test waits ~2.2 s of store time). */
export function ttlGroup({ it, raw, sleep, ttlOpts, skipExpiry }: GroupContext): void {
  it("replace sets the TTL and replaces the items", async (store, p) => {
    await store.replace(`${p}k`, numbered("old", 5), 50);
    await store.replace(`${p}k`, numbered("new", 2), 700);
    assert.deepEqual(texts(await store.read(`${p}k`)), ["new0", "new1"]);
    const ttl = await raw.ttlSeconds(`${p}k`);
    assert.ok(ttl > 600 && ttl <= 700, `TTL ~700 s, got ${ttl}`);
    await store.replace(`${p}k`, [], 700);
    assert.deepEqual(await store.read(`${p}k`), []);
  });

  if (!skipExpiry) {
    it(
      "the key expires after its TTL",
      async (store, p) => {
        await store.replace(`${p}r`, numbered("r", 2), 1);
        await store.append(`${p}a`, numbered("a", 2), ttlOpts(50, 1));
        await store.fork(null, [`${p}f`], numbered("f", 1), { ...ttlOpts(50, 1), parentItems: [] });
        assert.equal((await store.read(`${p}r`)).length, 2);
        await sleep(2200);
        assert.deepEqual(await store.read(`${p}r`), []);
        assert.deepEqual(await store.read(`${p}a`), []);
        assert.deepEqual(await store.read(`${p}f`), []);
        assert.equal(await raw.type(`${p}r`), "none");
      },
      15_000,
    );
  }

  it("a TTL of 0 means no expiry, and makes a key that had one persistent", async (store, p) => {
    await store.replace(`${p}r`, numbered("r", 2), 0);
    assert.equal(await raw.ttlSeconds(`${p}r`), -1);
    await store.append(`${p}a`, numbered("a", 1), ttlOpts(50, 600));
    await store.append(`${p}a`, numbered("b", 1), ttlOpts(50, 0));
    assert.equal(await raw.ttlSeconds(`${p}a`), -1);
    await store.fork(`${p}a`, [`${p}f`], numbered("f", 1), {
      ...ttlOpts(50, 0),
      parentItems: await store.read(`${p}a`),
    });
    assert.equal(await raw.ttlSeconds(`${p}f`), -1);
    assert.equal((await store.read(`${p}f`)).length, 3);
  });
}
