import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import { trimItems } from "../../policy/trim";
import type { GroupContext } from "../group-context";
import { assistantItem, numbered, texts, toolCall, toolResult, userItem } from "../items";

/**
 * Limits and trim: append keeps the newest maxItems, a trim never splits a pair (a reasoning
 * item and the item after it, a tool call and its output: core's `windowStartBy`, which the
 * Lua of the Redis layout mirrors), and concurrent appends lose nothing.
 */
export function limitsGroup({ it, raw, makeStore, closeStores, ttlOpts }: GroupContext): void {
  it("append trims to the newest maxItems and refreshes the TTL", async (store, p) => {
    await store.append(`${p}k`, numbered("a", 4), ttlOpts(5, 100));
    assert.ok((await raw.ttlSeconds(`${p}k`)) <= 100);
    await store.append(`${p}k`, numbered("b", 3), ttlOpts(5, 1000));
    assert.deepEqual(texts(await store.read(`${p}k`)), ["a2", "a3", "b0", "b1", "b2"]);
    const ttl = await raw.ttlSeconds(`${p}k`);
    assert.ok(ttl > 100 && ttl <= 1000, `TTL refreshed to ~1000 s, got ${ttl}`);
    assert.equal((await raw.elements(`${p}k`)).length, 5);
  });

  it("append of more than maxItems at once keeps the newest", async (store, p) => {
    await store.append(`${p}k`, numbered("c", 8), ttlOpts(3));
    assert.deepEqual(texts(await store.read(`${p}k`)), ["c5", "c6", "c7"]);
  });

  it("a trim never keeps an answer without its reasoning item (append, fork copy, fork in full)", async (store, p) => {
    const turn = (n: number) => [
      userItem(`q${n}`),
      { type: "reasoning", id: `rs_${n}`, content: [] } as unknown as AgentInputItem,
      assistantItem(`a${n}`, `msg_${n}`),
    ];
    const newest = ["q2", "rs_2", "msg_2"];
    // The newest 4 of turn 1 + turn 2 would start at msg_1, whose rs_1 is cut: msg_1 goes too.
    await store.append(`${p}a`, turn(1), ttlOpts(4));
    await store.append(`${p}a`, turn(2), ttlOpts(4));
    assert.deepEqual(ids(await store.read(`${p}a`)), newest);
    await store.replace(`${p}parent`, turn(1), 600);
    const parentItems = await store.read(`${p}parent`);
    await store.fork(`${p}parent`, [`${p}copy`], turn(2), { ...ttlOpts(4), parentItems });
    assert.deepEqual(ids(await store.read(`${p}copy`)), newest);
    await store.fork(`${p}parent`, [`${p}roomy`], turn(2), { ...ttlOpts(5), parentItems });
    assert.deepEqual(ids(await store.read(`${p}roomy`)), ["rs_1", "msg_1", ...newest]);
    await store.fork(null, [`${p}full`], [...turn(1), ...turn(2)], {
      ...ttlOpts(4),
      parentItems: [],
    });
    assert.deepEqual(ids(await store.read(`${p}full`)), newest);
  });

  it("a trim never keeps a tool output without its call (append, fork copy, fork in full)", async (store, p) => {
    const turn = (n: number) => [
      userItem(`q${n}`),
      { type: "reasoning", id: `rs_${n}`, content: [] } as unknown as AgentInputItem,
      toolCall(`call_${n}`),
      toolResult(`call_${n}`),
      assistantItem(`a${n}`, `msg_${n}`),
    ];
    const newest = ["q2", "rs_2", "fc_call_2", "out:call_2", "msg_2"];
    // The newest 8 of both turns would start at fc_call_1, whose rs_1 is cut: it goes, and
    // then its output, orphaned, goes too (the newest 7 would start at that output).
    await store.append(`${p}a`, turn(1), ttlOpts(8));
    await store.append(`${p}a`, turn(2), ttlOpts(8));
    assert.deepEqual(ids(await store.read(`${p}a`)), ["msg_1", ...newest]);
    await store.replace(`${p}parent`, turn(1), 600);
    const parentItems = await store.read(`${p}parent`);
    await store.fork(`${p}parent`, [`${p}copy`], turn(2), { ...ttlOpts(8), parentItems });
    assert.deepEqual(ids(await store.read(`${p}copy`)), ["msg_1", ...newest]);
    await store.fork(`${p}parent`, [`${p}short`], turn(2), { ...ttlOpts(5), parentItems });
    assert.deepEqual(ids(await store.read(`${p}short`)), newest);
    await store.fork(null, [`${p}full`], [...turn(1), ...turn(2)], {
      ...ttlOpts(7),
      parentItems: [],
    });
    assert.deepEqual(ids(await store.read(`${p}full`)), ["msg_1", ...newest]);
  });

  it("a trim never keeps a hosted MCP approval response without its request", async (store, p) => {
    const request = {
      type: "hosted_tool_call",
      name: "mcp_approval_request",
      providerData: { type: "mcp_approval_request", id: "mcpr_1", server_label: "s" },
    } as unknown as AgentInputItem;
    const response = {
      type: "hosted_tool_call",
      name: "mcp_approval_response",
      providerData: { type: "mcp_approval_response", approval_request_id: "mcpr_1", approve: true },
    } as unknown as AgentInputItem;
    await store.append(`${p}a`, [userItem("q"), request], ttlOpts(3));
    await store.append(`${p}a`, [userItem("mid"), response, userItem("after")], ttlOpts(3));
    assert.deepEqual(texts(await store.read(`${p}a`)), ["after"]);
    await store.append(`${p}b`, [userItem("q"), request], ttlOpts(4));
    await store.append(`${p}b`, [userItem("mid"), response, userItem("after")], ttlOpts(4));
    assert.deepEqual((await store.read(`${p}b`)).length, 4);
  });

  it("append cuts where trimItems cuts, for any mix of reasoning items and tool pairs", async (store, p) => {
    let random = 11;
    const next = () => {
      random = (random * 1103515245 + 12345) % 2147483648;
      return random / 2147483648;
    };
    let expected: AgentInputItem[] = [];
    let calls = 0;
    for (let round = 0; round < 24; round++) {
      const batch: AgentInputItem[] = [userItem(`q${round}`)];
      const steps = Math.floor(next() * 3);
      for (let step = 0; step < steps; step++) {
        if (next() < 0.5) batch.push(reasoning(`rs_${round}_${step}`));
        const callIds = [`call_${calls++}`, ...(next() < 0.4 ? [`call_${calls++}`] : [])];
        batch.push(...callIds.map((id) => toolCall(id)), ...callIds.map((id) => toolResult(id)));
      }
      if (next() < 0.5) batch.push(reasoning(`rs_${round}`));
      batch.push(assistantItem(`a${round}`, `msg_${round}`));
      const maxItems = 2 + Math.floor(next() * 9);
      await store.append(`${p}k`, batch, ttlOpts(maxItems));
      expected = trimItems([...expected, ...batch], maxItems);
      assert.deepEqual(ids(await store.read(`${p}k`)), ids(expected), `round ${round}`);
    }
  });

  it("two writers appending concurrently lose nothing", async (store, p) => {
    const second = await makeStore();
    try {
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        writes.push(store.append(`${p}k`, [userItem(`x${i}`)], ttlOpts(100)));
        writes.push(second.append(`${p}k`, [userItem(`y${i}`)], ttlOpts(100)));
      }
      await Promise.all(writes);
      const got = texts(await store.read(`${p}k`));
      assert.equal(got.length, 20);
      assert.deepEqual(
        got.filter((t) => t.startsWith("x")),
        numbered("x", 10).map((i) => texts([i])[0]),
      );
      assert.deepEqual(
        got.filter((t) => t.startsWith("y")),
        numbered("y", 10).map((i) => texts([i])[0]),
      );
    } finally {
      if (closeStores) await second.close?.();
    }
  });
}

const reasoning = (id: string) =>
  ({ type: "reasoning", id, content: [] }) as unknown as AgentInputItem;

/** Each item's id, or `out:<callId>` for an output, or its text. */
const ids = (items: AgentInputItem[]) =>
  items.map((item) => {
    const { id, type, callId } = item as { id?: string; type?: string; callId?: string };
    if (type === "function_call_result") return `out:${callId}`;
    return id ?? texts([item])[0];
  });
