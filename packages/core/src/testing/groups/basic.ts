import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import type { GroupContext } from "../group-context";
import { assistantItem, numbered, texts, userItem } from "../items";

/** The basics: a missing key, exact JSON round trips, newest-n reads, argument checks, no stray keys. */
export function basicGroup({ it, raw, ttlOpts }: GroupContext): void {
  it("a missing key reads as empty", async (store, p) => {
    assert.deepEqual(await store.read(`${p}missing`), []);
    assert.deepEqual(await store.read(`${p}missing`, 5), []);
    assert.equal(await store.pop(`${p}missing`), undefined);
    assert.deepEqual(await raw.keys(p), [], "reading must not create keys");
  });

  it("keeps order and round-trips JSON exactly (unicode, emoji, nested, 100 KB)", async (store, p) => {
    const big = "x".repeat(100 * 1024);
    const items = [
      userItem("héllo wörld — 你好 — مرحبا"),
      assistantItem('emoji 🎉👩‍👩‍👧 and \u0000 NUL and \n newline "quotes" \\ backslash'),
      {
        role: "user",
        content: [
          { type: "input_text", text: "nested" },
          { type: "input_text", text: "parts" },
        ],
        providerData: { deep: { list: [1, 2.5, -3, true, null, { x: "y" }] } },
      } as AgentInputItem,
      userItem(big),
      userItem("42"),
      userItem("null"),
      userItem("{}"),
    ];
    await store.replace(`${p}k`, items, 600);
    assert.deepEqual(await store.read(`${p}k`), items);
    assert.equal(await raw.type(`${p}k`), "list");
  });

  it("read(key, n) gives the newest n in chronological order", async (store, p) => {
    await store.replace(`${p}k`, numbered("m", 10), 600);
    assert.deepEqual(texts(await store.read(`${p}k`, 3)), ["m7", "m8", "m9"]);
    assert.deepEqual(texts(await store.read(`${p}k`, 1)), ["m9"]);
    assert.deepEqual(await store.read(`${p}k`, 0), []);
    assert.equal((await store.read(`${p}k`, 100)).length, 10);
  });

  it("rejects bad arguments with a clear error and writes nothing", async (store, p) => {
    await assert.rejects(() => store.read(42 as unknown as string), TypeError);
    await assert.rejects(
      () => store.append(`${p}k`, [userItem("x")], { maxItems: 0, ttlSeconds: 10 }),
      RangeError,
    );
    await assert.rejects(
      () => store.append(`${p}k`, [userItem("x")], { maxItems: 5, ttlSeconds: -1 }),
      RangeError,
    );
    await assert.rejects(
      () => store.replace(`${p}k`, "nope" as unknown as AgentInputItem[], 10),
      TypeError,
    );
    await assert.rejects(
      () => store.fork(null, [], [userItem("x")], { maxItems: 5, ttlSeconds: 10, parentItems: [] }),
      TypeError,
    );
    assert.deepEqual(await raw.keys(p), []);
  });

  it("writes only the keys it is given", async (store, p) => {
    await store.replace(`${p}r`, numbered("r", 2), 600);
    await store.append(`${p}a`, numbered("a", 2), ttlOpts());
    await store.fork(`${p}r`, [`${p}f1`, `${p}f2`], numbered("f", 1), {
      ...ttlOpts(),
      parentItems: await store.read(`${p}r`),
    });
    await store.pop(`${p}a`);
    await store.read(`${p}nothing`);
    assert.deepEqual((await raw.keys(p)).sort(), [`${p}a`, `${p}f1`, `${p}f2`, `${p}r`]);
  });
}
