import assert from "node:assert/strict";
import type { GroupContext } from "../group-context";
import { assistantItem, texts, userItem } from "../items";

/** Legacy values (Redis-protocol stores): a JSON array in a plain string, as the Python bot wrote it, reads as its items and becomes a list on the first write; other types read as empty. */
export function legacyGroup({ it, raw, ttlOpts }: GroupContext): void {
  it("pop on a legacy JSON-array string returns its newest item and keeps the rest as a list", async (store, p) => {
    const legacy = JSON.stringify([userItem("l0"), userItem("l1"), userItem("l2")]);
    await raw.plant(`${p}legacy`, { type: "string", value: legacy });
    assert.deepEqual(texts([(await store.pop(`${p}legacy`))!]), ["l2"]);
    assert.equal(await raw.type(`${p}legacy`), "list");
    assert.deepEqual(texts(await store.read(`${p}legacy`)), ["l0", "l1"]);
    await raw.plant(`${p}one`, { type: "string", value: JSON.stringify([userItem("only")]) });
    assert.deepEqual(texts([(await store.pop(`${p}one`))!]), ["only"]);
    assert.equal(await raw.type(`${p}one`), "none");
    // A legacy value holding no items is left as it is.
    await raw.plant(`${p}junk`, { type: "string", value: "not a json array" });
    assert.equal(await store.pop(`${p}junk`), undefined);
    assert.equal(await raw.type(`${p}junk`), "string");
  });

  it("a legacy JSON-array string reads as its items; a write turns it into a list", async (store, p) => {
    const legacy = [userItem("py-user"), assistantItem("py-bot")];
    await raw.plant(`${p}legacy`, { type: "string", value: JSON.stringify(legacy) });
    assert.deepEqual(await store.read(`${p}legacy`), legacy);
    assert.deepEqual(texts(await store.read(`${p}legacy`, 1)), ["py-bot"]);
    const read = await store.read(`${p}legacy`);
    await store.fork(`${p}legacy`, [`${p}child`], [userItem("n")], {
      ...ttlOpts(),
      parentItems: read,
    });
    assert.deepEqual(texts(await store.read(`${p}child`)), ["py-user", "py-bot", "n"]);
    await store.append(`${p}legacy`, [userItem("n2")], ttlOpts());
    assert.equal(await raw.type(`${p}legacy`), "list");
    assert.deepEqual(texts(await store.read(`${p}legacy`)), ["py-user", "py-bot", "n2"]);
    await raw.plant(`${p}legacy2`, { type: "string", value: JSON.stringify(legacy) });
    await store.replace(`${p}legacy2`, [userItem("r")], 600);
    assert.deepEqual(texts(await store.read(`${p}legacy2`)), ["r"]);
    assert.equal(await raw.type(`${p}legacy2`), "list");
  });

  it("strings that are not JSON arrays of items, and values of other types, read as empty", async (store, p) => {
    await raw.plant(`${p}str`, { type: "string", value: "not a json array" });
    assert.deepEqual(await store.read(`${p}str`), []);
    await raw.plant(`${p}obj`, { type: "string", value: '{"a":1}' });
    assert.deepEqual(await store.read(`${p}obj`), []);
    await raw.plant(`${p}other`, { type: "other" });
    assert.deepEqual(await store.read(`${p}other`), []);
    assert.equal(await store.pop(`${p}other`), undefined);
  });

  it("readStored of a legacy string gives each item's JSON beside it", async (store, p) => {
    if (typeof store.readStored !== "function") return;
    const legacy = [userItem("py-user"), assistantItem("py-bot")];
    await raw.plant(`${p}legacy`, { type: "string", value: JSON.stringify(legacy) });
    const fromLegacy = await store.readStored(`${p}legacy`, 1);
    assert.deepEqual(fromLegacy.items, [legacy[1]]);
    assert.deepEqual(
      fromLegacy.elements.map((e) => JSON.parse(e)),
      [legacy[1]],
    );
  });
}
