import assert from "node:assert/strict";
import type { GroupContext } from "../group-context";
import { numbered, texts, userItem } from "../items";

/** Pop and clear: the newest item comes off; pop skips exactly what read skips. */
export function popClearGroup({ it, raw }: GroupContext): void {
  it("pop returns the newest item and removes it", async (store, p) => {
    await store.replace(`${p}k`, numbered("p", 3), 600);
    assert.deepEqual(texts([(await store.pop(`${p}k`))!]), ["p2"]);
    assert.deepEqual(texts(await store.read(`${p}k`)), ["p0", "p1"]);
    await store.pop(`${p}k`);
    await store.pop(`${p}k`);
    assert.equal(await store.pop(`${p}k`), undefined);
    assert.equal(await raw.type(`${p}k`), "none");
  });

  it("pop agrees with read on what an item is: padded JSON is popped, what JSON.parse rejects is dropped", async (store, p) => {
    const padded = ` \n\t${JSON.stringify(userItem("padded"))}`;
    await raw.plant(`${p}padded`, {
      type: "list",
      elements: [JSON.stringify(userItem("first")), padded],
    });
    assert.deepEqual(texts(await store.read(`${p}padded`)), ["first", "padded"]);
    assert.deepEqual(texts([(await store.pop(`${p}padded`))!]), ["padded"]);
    assert.deepEqual(texts(await store.read(`${p}padded`)), ["first"]);
    // Starts like an object, but no JSON parser in JS accepts it (Lua's cjson does: 0x10).
    await raw.plant(`${p}hex`, {
      type: "list",
      elements: [JSON.stringify(userItem("below")), '{"role":"user","content":0x10}'],
    });
    assert.deepEqual(texts(await store.read(`${p}hex`)), ["below"]);
    assert.deepEqual(texts([(await store.pop(`${p}hex`))!]), ["below"]);
    assert.equal(await raw.type(`${p}hex`), "none");
  });

  it("clear deletes the key and nothing else", async (store, p) => {
    await store.replace(`${p}a`, numbered("a", 2), 600);
    await store.replace(`${p}b`, numbered("b", 2), 600);
    await store.clear(`${p}a`);
    assert.deepEqual(await store.read(`${p}a`), []);
    assert.equal((await store.read(`${p}b`)).length, 2);
    assert.deepEqual(await raw.keys(p), [`${p}b`]);
  });
}
