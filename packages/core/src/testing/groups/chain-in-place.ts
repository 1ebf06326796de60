import assert from "node:assert/strict";
import { type AgentInputItem, applySessionHistoryMutations } from "@openai/agents";
import { windowOf } from "../../policy/window";
import { parseChainLink } from "../../store/chain-link";
import type { HistoryTransaction, SessionStore } from "../../store/contract";
import { sha1Hex } from "../../store/fingerprint";
import type { GroupContext } from "../group-context";
import { assistantItem, toolCall, toolResult, userItem } from "../items";
import { rk } from "../reply-keys";
import { assertExact, Model, turn } from "./chain";

/*
 * Changes in place on a reply key (append, pop, transact, replaceFunctionCall) apply to the
 * history its reads return, whatever layout stores it: on the chained layout the key's own
 * items are only the end of that history. The keys it links to, and its siblings, stay as
 * they were. Checked against the same independent model as the chain group.
 */

/** a <- b <- c, each turn's items a tool call pair or plain messages; returns the keys. */
async function chainOfThree(store: SessionStore, model: Model, p: string): Promise<string[]> {
  await turn(store, model, null, rk(p, "a"), [
    userItem("a0"),
    toolCall("call_a"),
    toolResult("call_a"),
  ]);
  await turn(store, model, rk(p, "a"), rk(p, "b"), [userItem("b0"), assistantItem("b1")]);
  await turn(store, model, rk(p, "b"), rk(p, "c"), [userItem("c0"), assistantItem("c1")]);
  await turn(store, model, rk(p, "b"), rk(p, "sibling"), [userItem("s0")]);
  return [rk(p, "a"), rk(p, "b"), rk(p, "c"), rk(p, "sibling")];
}

type FunctionCall = Extract<AgentInputItem, { type: "function_call" }>;

async function transactOptions(operationId: string, transaction: HistoryTransaction) {
  return { operationId, fingerprint: await sha1Hex(JSON.stringify(transaction)) };
}

export function chainInPlaceGroup({ it, raw, layout }: GroupContext): void {
  it("pop on a reply key pops its history's newest items, through its parent's", async (store, p) => {
    const model = new Model(20);
    const keys = await chainOfThree(store, model, p);
    const c = rk(p, "c");
    if (layout === "chain") assert.ok(parseChainLink((await raw.elements(c))[0]), "c links to b");
    const expected = model.stored(c).slice();
    // Past its own two items: into b's and a's.
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await store.pop(c), expected.pop(), `pop #${i + 1}`);
      model.set(c, expected.slice());
      await assertExact(store, raw, model, keys);
    }
  });

  it("pop on a reply key that holds only a link pops its parent's newest item, and keeps the rest", async (store, p) => {
    const model = new Model(20);
    const keys = await chainOfThree(store, model, p);
    await turn(store, model, rk(p, "c"), rk(p, "empty"), []);
    const expected = model.stored(rk(p, "empty")).slice();
    assert.deepEqual(await store.pop(rk(p, "empty")), expected.pop());
    model.set(rk(p, "empty"), expected);
    await assertExact(store, raw, model, [...keys, rk(p, "empty")]);
  });

  it("append on a reply key trims its whole history to the pair-safe window", async (store, p) => {
    const model = new Model(20);
    const keys = await chainOfThree(store, model, p);
    const c = rk(p, "c");
    const fresh = [userItem("c2"), assistantItem("c3")];
    // maxItems 6 cuts inside b's part: the pair-safe window of all 8.
    await store.append(c, fresh, { maxItems: 6, ttlSeconds: 600 });
    model.set(c, windowOf([...model.stored(c), ...fresh], 6));
    await assertExact(store, raw, model, keys);
    // A window of 5 would start between a's tool call and its output: it starts after both.
    const d = rk(p, "d");
    await turn(store, model, rk(p, "b"), d, [userItem("d0")]);
    await store.append(d, [assistantItem("d1")], { maxItems: 5, ttlSeconds: 600 });
    model.set(d, windowOf([...model.stored(d), assistantItem("d1")], 5));
    await assertExact(store, raw, model, [...keys, d]);
  });

  it("transact on a reply key replaces a suffix that starts in its parent's items", async (store, p) => {
    if (!store.transact) return;
    const model = new Model(20);
    const keys = await chainOfThree(store, model, p);
    const c = rk(p, "c");
    const history = model.stored(c);
    // b1, c0, c1: b1 lives in b.
    const transaction: HistoryTransaction = {
      type: "replace_suffix",
      expectedSuffix: history.slice(-3),
      replacement: [assistantItem("b1 edited")],
    };
    assert.equal(
      await store.transact(c, transaction, await transactOptions("op-1", transaction)),
      "applied",
    );
    model.set(c, [...history.slice(0, -3), assistantItem("b1 edited")]);
    await assertExact(store, raw, model, keys);
    const append: HistoryTransaction = { type: "append_items", items: [userItem("c2")] };
    assert.equal(await store.transact(c, append, await transactOptions("op-2", append)), "applied");
    model.set(c, [...model.stored(c), userItem("c2")]);
    await assertExact(store, raw, model, keys);
  });

  it("replaceFunctionCall on a reply key finds the call in its parent's items", async (store, p) => {
    if (!store.replaceFunctionCall) return;
    const model = new Model(20);
    const keys = await chainOfThree(store, model, p);
    const c = rk(p, "c");
    const replacement = toolCall("call_a", '{"approved":true}') as FunctionCall;
    assert.equal(await store.replaceFunctionCall(c, "call_a", replacement), true);
    model.set(
      c,
      applySessionHistoryMutations(model.stored(c), [
        { type: "replace_function_call", callId: "call_a", replacement },
      ]),
    );
    await assertExact(store, raw, model, keys);
  });
}
