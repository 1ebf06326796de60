import assert from "node:assert/strict";
import type { GroupContext } from "../group-context";
import { numbered, texts, userItem } from "../items";

/**
 * Deadlines: a write whose caller's deadline has passed changes nothing (the Redis stores'
 * servers enforce it in their own clock, so a write sent before and run after is refused too).
 */
export function deadlineGroup({ it, raw, ttlOpts }: GroupContext): void {
  it("a write past its deadline rejects and changes nothing; one before it goes through", async (store, p) => {
    await store.replace(`${p}k`, numbered("h", 2), 600);
    const before = await raw.elements(`${p}k`);
    const past = { deadline: Date.now() - 1000 };
    const writes: [string, () => Promise<unknown>][] = [
      ["replace", () => store.replace(`${p}k`, [userItem("late")], 600, past)],
      ["append", () => store.append(`${p}k`, [userItem("late")], { ...ttlOpts(), ...past })],
      [
        "fork",
        () =>
          store.fork(`${p}k`, [`${p}child`], [userItem("late")], {
            ...ttlOpts(),
            ...past,
            parentItems: [],
          }),
      ],
      ["pop", () => store.pop(`${p}k`, past)],
      ["clear", () => store.clear(`${p}k`, past)],
    ];
    for (const [name, write] of writes) {
      await assert.rejects(write, `${name} past its deadline must reject`);
      assert.deepEqual(await raw.elements(`${p}k`), before, `${name} changed nothing`);
    }
    assert.deepEqual(await raw.keys(p), [`${p}k`]);

    const soon = { deadline: Date.now() + 5000 };
    await store.append(`${p}k`, [userItem("n")], { ...ttlOpts(), ...soon });
    assert.deepEqual(texts(await store.read(`${p}k`)), ["h0", "h1", "n"]);
    assert.deepEqual(texts([(await store.pop(`${p}k`, soon))!]), ["n"]);
    await store.clear(`${p}k`, soon);
    assert.equal(await raw.type(`${p}k`), "none");
    await assert.rejects(
      () => store.replace(`${p}k`, [userItem("x")], 600, { deadline: "soon" as unknown as number }),
      RangeError,
    );
  });
}
