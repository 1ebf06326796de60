import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import { MAX_TTL_SECONDS } from "../../policy/limits";
import { isClaimStore } from "../../store/claims";
import { USAGE_SUFFIX } from "../../store/companion-keys";
import type { SessionStore, WriteOptions } from "../../store/contract";
import { emptyUsage } from "../../store/usage";
import type { GroupContext } from "../group-context";
import { assistantItem, numbered, texts, toolCall, userItem } from "../items";

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

  it("every operation refuses a bad key, and every write a malformed deadline, writing nothing", async (store, p) => {
    const calls = (key: string, write: WriteOptions) => everyCall(store, key, write, ttlOpts());
    for (const [name, call] of calls(42 as unknown as string, {})) {
      await assert.rejects(call, TypeError, `${name} with a key that is not a string`);
    }
    const badDeadline = { deadline: "soon" as unknown as number };
    for (const [name, call, writes] of calls(`${p}k`, badDeadline)) {
      if (writes) await assert.rejects(call, RangeError, `${name} with a malformed deadline`);
    }
    assert.deepEqual(await raw.keys(p), []);
  });

  it("a history key that is a companion key's, or not well-formed Unicode, is refused, writing nothing", async (store, p) => {
    const refused = [`${p}k:usage`, `${p}k:ops`, `${p}{k}:ops:older`, `${p}k\ud83d`, `${p}\ude00k`];
    for (const key of refused) {
      for (const [name, call] of everyCall(store, key, {}, ttlOpts())) {
        if (name === "addUsage" || name === "readUsage" || CLAIM_CALLS.has(name)) continue;
        await assert.rejects(call, TypeError, `${name} on ${JSON.stringify(key)}`);
      }
    }
    // A whole emoji is fine; usage counters take only keys ending with :usage.
    await store.replace(`${p}k\ud83d\ude00`, [userItem("x")], 600);
    assert.deepEqual(texts(await store.read(`${p}k\ud83d\ude00`)), ["x"]);
    if (store.addUsage) {
      await assert.rejects(
        () => store.addUsage!(`${p}k`, emptyUsage(), { ttlSeconds: 600 }),
        TypeError,
        "usage under a history's key",
      );
    }
    assert.deepEqual(await raw.keys(p), [`${p}k\ud83d\ude00`]);
  });

  it("the longest TTL works for every write, a reply's fork included; a longer one is refused", async (store, p) => {
    const ttlSeconds = MAX_TTL_SECONDS;
    await store.replace(`${p}parent`, numbered("a", 2), ttlSeconds);
    await store.append(`${p}parent`, numbered("b", 1), { maxItems: 10, ttlSeconds });
    const parentItems = await store.read(`${p}parent`);
    const fork = { maxItems: 10, ttlSeconds, parentItems };
    await store.fork(`${p}parent`, [`${p}child`], numbered("c", 1), fork);
    assert.deepEqual(texts(await store.read(`${p}child`)), ["a0", "a1", "b0", "c0"]);
    assert.ok((await raw.ttlSeconds(`${p}child`)) > ttlSeconds - 60);
    await assert.rejects(
      () => store.replace(`${p}late`, [userItem("x")], MAX_TTL_SECONDS + 1),
      RangeError,
    );
    assert.deepEqual((await raw.keys(p)).sort(), [`${p}child`, `${p}parent`]);
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

/**
 * One well-formed call of each operation `store` has (the optional ones when present), with
 * `key` and `write` as its key and write options: [name, call, whether it writes].
 */
function everyCall(
  store: SessionStore,
  key: string,
  write: WriteOptions,
  limits: { maxItems: number; ttlSeconds: number },
): [string, () => Promise<unknown>, boolean][] {
  const items = [userItem("x")];
  const calls: [string, () => Promise<unknown>, boolean][] = [
    ["read", () => store.read(key), false],
    ["replace", () => store.replace(key, items, 600, write), true],
    ["append", () => store.append(key, items, { ...limits, ...write }), true],
    ["fork", () => store.fork(null, [key], items, { ...limits, ...write, parentItems: [] }), true],
    ["pop", () => store.pop(key, write), true],
    ["clear", () => store.clear(key, write), true],
  ];
  const { readStored, transact, replaceFunctionCall, addUsage, readUsage } = store;
  if (readStored) calls.push(["readStored", () => readStored.call(store, key), false]);
  if (transact) {
    const options = { operationId: "op", fingerprint: "f", ...limits, ...write };
    const append = { type: "append_items", items } as const;
    calls.push(["transact", () => transact.call(store, key, append, options), true]);
  }
  if (replaceFunctionCall) {
    const replace = () => replaceFunctionCall.call(store, key, "c", toolCall("c"), write);
    calls.push(["replaceFunctionCall", replace, true]);
  }
  if (addUsage && readUsage) {
    const usage = emptyUsage();
    const options = { ttlSeconds: 600, ...write };
    // Usage counters live under keys of their own (see USAGE_SUFFIX).
    const counters = typeof key === "string" ? `${key}${USAGE_SUFFIX}` : key;
    calls.push(["addUsage", () => addUsage.call(store, counters, usage, options), true]);
    calls.push(["readUsage", () => readUsage.call(store, counters), false]);
  }
  if (isClaimStore(store)) {
    const lease = { holder: "h", leaseMs: 1000, ...write };
    calls.push(
      ["claim", () => store.claim(key, lease), true],
      ["renewClaim", () => store.renewClaim(key, lease), true],
      ["finishClaim", () => store.finishClaim(key, { holder: "h", keepMs: 1000, ...write }), true],
      ["releaseClaim", () => store.releaseClaim(key, { holder: "h", ...write }), true],
    );
  }
  return calls;
}

/** The claim operations: their keys are the caller's own (update ids), not histories'. */
const CLAIM_CALLS = new Set(["claim", "renewClaim", "finishClaim", "releaseClaim"]);
