import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import type { StoredElement } from "../../store";
import type { GroupContext } from "../group-context";
import { texts, userItem } from "../items";
import { rawHistory } from "../raw-access";

/** Stored JSON: malformed elements are skipped, never a crash; readStored and parentElements keep each item's JSON verbatim. */
export function storedJsonGroup({ it, raw, ttlOpts }: GroupContext): void {
  // Stored JSON as another writer formatted it (spaces, key order): what must survive verbatim.
  const foreignJson = (text: string) => `{ "content": ${JSON.stringify(text)},  "role": "user" }`;

  it("malformed elements are skipped; nothing crashes", async (store, p) => {
    await raw.plant(`${p}bad`, {
      type: "list",
      elements: [
        JSON.stringify(userItem("ok1")),
        "{not json",
        "42",
        '"str"',
        "[]",
        "null",
        JSON.stringify(userItem("ok2")),
      ],
    });
    assert.deepEqual(texts(await store.read(`${p}bad`)), ["ok1", "ok2"]);
    assert.deepEqual(texts([(await store.pop(`${p}bad`))!]), ["ok2"]);

    await raw.plant(`${p}empty`, { type: "list", elements: [] });
    assert.deepEqual(await store.read(`${p}empty`), []);
  });

  it("JSON objects that are not items the SDK accepts are skipped, on read and pop", async (store, p) => {
    const poisoned = [
      '{"foo":1}',
      '{"role":"wizard","content":"abracadabra"}',
      '{"role":"user","content":42}',
      '{"type":"message","role":"assistant","content":"no status, no parts"}',
      '{"type":"reasoning"}',
    ];
    await raw.plant(`${p}poisoned`, {
      type: "list",
      elements: [JSON.stringify(userItem("ok1")), ...poisoned, JSON.stringify(userItem("ok2"))],
    });
    assert.deepEqual(texts(await store.read(`${p}poisoned`)), ["ok1", "ok2"]);
    assert.deepEqual(texts(await store.read(`${p}poisoned`, 3)), ["ok2"]);
    await raw.plant(`${p}top`, {
      type: "list",
      elements: [JSON.stringify(userItem("below")), ...poisoned],
    });
    assert.deepEqual(texts([(await store.pop(`${p}top`))!]), ["below"]);
    assert.deepEqual(await store.read(`${p}top`), []);
  });

  it("readStored (when the store has it) gives each item's stored JSON, verbatim, beside it", async (store, p) => {
    if (typeof store.readStored !== "function") return;
    // Non-ASCII text comes back exactly as stored.
    const elements = [
      foreignJson("f0 привет 👋"),
      "not json",
      JSON.stringify(userItem("u1")),
      "[1]",
    ];
    await raw.plant(`${p}k`, { type: "list", elements });
    const stored = await store.readStored(`${p}k`);
    assert.deepEqual(stored.elements, [elements[0], elements[2]]);
    assert.deepEqual(stored.items, await store.read(`${p}k`));
    assert.deepEqual(
      stored.items,
      stored.elements.map((element) => JSON.parse(element)),
    );
    const newest = await store.readStored(`${p}k`, 2);
    assert.deepEqual(newest.elements, [elements[2]], "limit counts stored elements, then skips");
    // A missing key reads as empty; a store that reports gaps says the key is absent.
    const { gap, ...missing } = await store.readStored(`${p}missing`);
    assert.deepEqual(missing, { items: [], elements: [] });
    if (gap !== undefined) assert.equal(gap.kind, "absent");
  });

  it("fork with parentElements writes the parent's stored JSON verbatim and never needs parentItems", async (store, p) => {
    if (typeof store.readStored !== "function") return;
    const parent = [foreignJson("h0 é"), foreignJson("h1"), JSON.stringify(userItem("h2 👋"))];
    const fresh = userItem("n");
    const options = (parentElements: readonly StoredElement[], maxItems = 50) => ({
      ...ttlOpts(maxItems),
      parentElements,
      get parentItems(): AgentInputItem[] {
        throw new Error("parentItems read although parentElements was given");
      },
    });
    const expectChild = async (key: string, expected: string[]) => {
      assert.deepEqual(await rawHistory(raw, key), expected, key);
      assert.ok((await raw.ttlSeconds(key)) > 500, `${key} has the TTL`);
    };
    await raw.plant(`${p}parent`, { type: "list", elements: parent });
    const read = (await store.readStored(`${p}parent`)).elements;

    // Unchanged parent: the store may copy it server-side.
    await store.fork(`${p}parent`, [`${p}a`, `${p}b`], [fresh], options(read));
    for (const key of [`${p}a`, `${p}b`])
      await expectChild(key, [...parent, JSON.stringify(fresh)]);
    // Trimmed to maxItems.
    await store.fork(`${p}parent`, [`${p}trim`], [fresh], options(read, 2));
    await expectChild(`${p}trim`, [parent[2]!, JSON.stringify(fresh)]);
    // Changed since it was read: the children get what was read, as it was stored.
    await store.append(`${p}parent`, [userItem("late")], ttlOpts());
    await store.fork(`${p}parent`, [`${p}changed`], [fresh], options(read));
    await expectChild(`${p}changed`, [...parent, JSON.stringify(fresh)]);
    // Gone, or no parent key at all.
    await store.clear(`${p}parent`);
    await store.fork(`${p}parent`, [`${p}gone`], [fresh], options(read));
    await expectChild(`${p}gone`, [...parent, JSON.stringify(fresh)]);
    await store.fork(null, [`${p}orphan`], [fresh], options(read.slice(0, 1)));
    await expectChild(`${p}orphan`, [parent[0]!, JSON.stringify(fresh)]);
    await assert.rejects(
      () => store.fork(null, [`${p}bad`], [fresh], options([42 as unknown as StoredElement])),
      TypeError,
    );
    assert.equal(await raw.type(`${p}bad`), "none");
  });
}
