import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import type { GroupContext } from "../group-context";
import { assistantItem, numbered, texts, userItem } from "../items";

/** Fork: the reply write, from a parent as read, whatever became of the parent since. */
export function forkGroup({ it, raw, ttlOpts }: GroupContext): void {
  it("fork gives each child parent + new items, trimmed, with the TTL", async (store, p) => {
    const parent = numbered("h", 4);
    await store.replace(`${p}parent`, parent, 600);
    const read = await store.read(`${p}parent`, 50);
    await store.fork(`${p}parent`, [`${p}c1`, `${p}c2`], numbered("n", 2), {
      ...ttlOpts(5, 900),
      parentItems: read,
    });
    for (const child of [`${p}c1`, `${p}c2`]) {
      assert.deepEqual(texts(await store.read(child)), ["h1", "h2", "h3", "n0", "n1"]);
      assert.equal(await raw.type(child), "list");
      const ttl = await raw.ttlSeconds(child);
      assert.ok(ttl > 800 && ttl <= 900, `child TTL ~900 s, got ${ttl}`);
    }
    assert.deepEqual(texts(await store.read(`${p}parent`)), ["h0", "h1", "h2", "h3"]);
    assert.deepEqual((await raw.keys(p)).sort(), [`${p}c1`, `${p}c2`, `${p}parent`]);
  });

  it("forks from one parent are independent", async (store, p) => {
    await store.replace(`${p}parent`, numbered("h", 2), 600);
    const read = await store.read(`${p}parent`);
    await store.fork(`${p}parent`, [`${p}a`], [userItem("A")], { ...ttlOpts(), parentItems: read });
    await store.fork(`${p}parent`, [`${p}b`], [userItem("B")], { ...ttlOpts(), parentItems: read });
    await store.append(`${p}a`, [userItem("A2")], ttlOpts());
    assert.deepEqual(texts(await store.read(`${p}a`)), ["h0", "h1", "A", "A2"]);
    assert.deepEqual(texts(await store.read(`${p}b`)), ["h0", "h1", "B"]);
    assert.deepEqual(texts(await store.read(`${p}parent`)), ["h0", "h1"]);
  });

  it("fork writes what was read when the parent changed, vanished or was never there", async (store, p) => {
    await store.replace(`${p}parent`, numbered("h", 3), 600);
    const read = await store.read(`${p}parent`);
    await store.append(`${p}parent`, [userItem("late")], ttlOpts());
    await store.fork(`${p}parent`, [`${p}changed`], [userItem("n")], {
      ...ttlOpts(),
      parentItems: read,
    });
    assert.deepEqual(texts(await store.read(`${p}changed`)), ["h0", "h1", "h2", "n"]);

    await store.replace(`${p}popped`, numbered("h", 3), 600);
    const beforePop = await store.read(`${p}popped`);
    await store.pop(`${p}popped`);
    await store.fork(`${p}popped`, [`${p}afterpop`], [userItem("n")], {
      ...ttlOpts(),
      parentItems: beforePop,
    });
    assert.deepEqual(texts(await store.read(`${p}afterpop`)), ["h0", "h1", "h2", "n"]);

    await store.replace(`${p}rewritten`, numbered("h", 3), 600);
    const beforeRewrite = await store.read(`${p}rewritten`);
    await store.replace(`${p}rewritten`, [userItem("other"), userItem("h2")], 600);
    await store.fork(`${p}rewritten`, [`${p}afterrewrite`], [userItem("n")], {
      ...ttlOpts(),
      parentItems: beforeRewrite,
    });
    assert.deepEqual(texts(await store.read(`${p}afterrewrite`)), ["h0", "h1", "h2", "n"]);

    await store.clear(`${p}parent`);
    await store.fork(`${p}parent`, [`${p}vanished`], [userItem("n")], {
      ...ttlOpts(),
      parentItems: read,
    });
    assert.deepEqual(texts(await store.read(`${p}vanished`)), ["h0", "h1", "h2", "n"]);

    await store.fork(null, [`${p}fresh`], [userItem("first"), assistantItem("hi")], {
      ...ttlOpts(),
      parentItems: [],
    });
    assert.deepEqual(texts(await store.read(`${p}fresh`)), ["first", "hi"]);
  });

  it("fork uses the items the caller kept, not a filtered-out parent", async (store, p) => {
    const tool = {
      type: "function_call",
      callId: "c1",
      name: "f",
      arguments: "{}",
    } as AgentInputItem;
    await store.replace(`${p}parent`, [userItem("u"), tool, assistantItem("a")], 600);
    const kept = (await store.read(`${p}parent`)).filter(
      (item) => (item as { type?: string }).type !== "function_call",
    );
    await store.fork(`${p}parent`, [`${p}child`], [userItem("n")], {
      ...ttlOpts(),
      parentItems: kept,
    });
    assert.deepEqual(texts(await store.read(`${p}child`)), ["u", "a", "n"]);
  });

  it("fork over a longer parent than maxItems keeps the newest", async (store, p) => {
    await store.replace(`${p}parent`, numbered("h", 8), 600);
    const read = await store.read(`${p}parent`, 3);
    await store.fork(`${p}parent`, [`${p}child`], numbered("n", 2), {
      ...ttlOpts(3),
      parentItems: read,
    });
    assert.deepEqual(texts(await store.read(`${p}child`)), ["h7", "n0", "n1"]);
  });

  it("fork overwrites an existing child", async (store, p) => {
    await store.replace(`${p}child`, numbered("stale", 3), 600);
    await store.fork(null, [`${p}child`], [userItem("fresh")], { ...ttlOpts(), parentItems: [] });
    assert.deepEqual(texts(await store.read(`${p}child`)), ["fresh"]);
  });
}
