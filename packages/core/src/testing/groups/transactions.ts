import assert from "node:assert/strict";
import { type AgentInputItem, applySessionHistoryMutations } from "@openai/agents";
import { HistoryConflictError } from "../../errors";
import type { HistoryTransaction, TransactOptions } from "../../store";
import { sha1Hex } from "../../store/fingerprint";
import { OPERATIONS_PER_RECORD } from "../../store/history";
import type { GroupContext } from "../group-context";
import { assistantItem, numbered, texts, toolCall, toolResult, userItem } from "../items";

/**
 * History transactions (`transact`, `replaceFunctionCall`, optional): the SDK's
 * `applyHistoryTransaction` and `applyHistoryMutations` semantics (its `MemorySession` is the
 * reference), durable: an operation applies once across retries and processes, a reused id or
 * a suffix that does not match changes nothing, the operation record lives and dies with the
 * history. A store without `transact` passes trivially.
 */
export function transactionsGroup(
  { it, raw, sleep, makeStore, closeStores, skipExpiry }: GroupContext,
  options: { legacy: boolean },
): void {
  it("append_items applies once across retries, from this store and from a new one", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const first = append(numbered("a", 2));
    assert.equal(await store.transact(k, first, await opts("op-1", first)), "applied");
    assert.equal(await store.transact(k, first, await opts("op-1", first)), "already-applied");
    // A new process retrying the operation: a new store instance, same backend.
    const second = await makeStore();
    try {
      assert.equal(await second.transact!(k, first, await opts("op-1", first)), "already-applied");
    } finally {
      if (closeStores) await second.close?.();
    }
    assert.deepEqual(texts(await store.read(k)), ["a0", "a1"]);
    const next = append([userItem("b")]);
    assert.equal(await store.transact(k, next, await opts("op-2", next)), "applied");
    assert.deepEqual(texts(await store.read(k)), ["a0", "a1", "b"]);
    assert.equal(await raw.type(k), "list");
    if (raw.operations) {
      assert.deepEqual((await raw.operations(k)).records, {
        "op-1": await fingerprint(first),
        "op-2": await fingerprint(next),
      });
    }
  });

  it("replace_suffix replaces a suffix that matches structurally (key order, spacing, numbers)", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const tool = {
      type: "function_call",
      callId: "c1",
      name: "lookup",
      arguments: "{}",
      providerData: { list: [], map: {}, none: null, n: 1 },
    } as AgentInputItem;
    // As another writer formatted them: keys reordered, spaces, 1.0 for 1.
    await raw.plant(k, {
      type: "list",
      elements: [
        JSON.stringify(userItem("q")),
        `{ "content": "u1",  "role": "user" }`,
        `{"providerData":{"n":1.0,"none":null,"map":{},"list":[]},"arguments":"{}","name":"lookup","callId":"c1","type":"function_call"}`,
      ],
    });
    const change = replaceSuffix([userItem("u1"), tool], [userItem("u1"), assistantItem("r")]);
    assert.equal(await store.transact(k, change, await opts("op-1", change)), "applied");
    assert.deepEqual(texts(await store.read(k)), ["q", "u1", "r"]);
    assert.equal(await store.transact(k, change, await opts("op-1", change)), "already-applied");

    // The whole history replaced by nothing: the key goes, the record stays.
    const all = replaceSuffix(await store.read(k), []);
    assert.equal(await store.transact(k, all, await opts("op-2", all)), "applied");
    assert.equal(await raw.type(k), "none");
    assert.equal(await store.transact(k, all, await opts("op-2", all)), "already-applied");
    // An empty expected suffix appends.
    const onto = replaceSuffix([], [userItem("z")]);
    assert.equal(await store.transact(k, onto, await opts("op-3", onto)), "applied");
    assert.deepEqual(texts(await store.read(k)), ["z"]);
  });

  it("replace_suffix that does not match rejects, changes nothing and records nothing", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const item = (providerData: unknown) =>
      // Brackets, quotes and backslashes inside the text: only arrays outside strings count.
      ({ role: "user", content: 'say "[]" \\ [ ] {}', providerData }) as AgentInputItem;
    await raw.plant(k, {
      type: "list",
      elements: [JSON.stringify(userItem("h")), JSON.stringify(item({ list: [], none: null }))],
    });
    const before = await raw.elements(k);
    const mismatches: [string, readonly AgentInputItem[]][] = [
      ["other text", [userItem("nope")]],
      ["[] is not {}", [item({ list: {}, none: null })]],
      ["null is not missing", [item({ list: [] })]],
      ["null is not false", [item({ list: [], none: false })]],
      ["null is not 'null'", [item({ list: [], none: "null" })]],
      ["longer than the history", [userItem("a"), userItem("h"), item({ list: [], none: null })]],
      ["not the end of it", [userItem("h")]],
    ];
    for (const [why, expectedSuffix] of mismatches) {
      const change = replaceSuffix(expectedSuffix, [userItem("new")]);
      await assert.rejects(
        () => store.transact!(k, change, optsSync("op-x", why)),
        (error: unknown) =>
          HistoryConflictError.isInstance(error) &&
          error.reason === "suffix-mismatch" &&
          error.operationId === "op-x",
        why,
      );
      assert.deepEqual(await raw.elements(k), before, `${why}: nothing changed`);
    }
    if (raw.operations) assert.equal((await raw.operations(k)).records, null);
    // Not recorded: the same id applies once the precondition holds.
    const right = replaceSuffix([item({ none: null, list: [] })], [userItem("new")]);
    assert.equal(await store.transact(k, right, await opts("op-x", right)), "applied");
    assert.deepEqual(texts(await store.read(k)), ["h", "new"]);
  });

  it("a reused operation id with another transaction rejects and changes nothing", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const first = append([userItem("a")]);
    await store.transact(k, first, await opts("op-1", first));
    const before = await raw.elements(k);
    const other = append([userItem("b")]);
    await assert.rejects(
      async () => store.transact!(k, other, await opts("op-1", other)),
      (error: unknown) =>
        HistoryConflictError.isInstance(error) &&
        error.reason === "operation-reused" &&
        error.key === k,
    );
    assert.deepEqual(await raw.elements(k), before);
    if (raw.operations) {
      assert.deepEqual((await raw.operations(k)).records, { "op-1": await fingerprint(first) });
    }
    await assert.rejects(() => store.transact!(k, first, optsSync("", "fp")), TypeError);
    await assert.rejects(() => store.transact!(k, first, optsSync("op", "")), TypeError);
    await assert.rejects(
      () => store.transact!(k, first, { ...optsSync("op", "fp"), ttlSeconds: -1 }),
      RangeError,
    );
  });

  it("the record takes the history's TTL (none with 0), survives replace and pop, and clear removes it", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const first = append(numbered("a", 3));
    await store.transact(k, first, { ...(await opts("op-1", first)), ttlSeconds: 600 });
    const ttl = await raw.ttlSeconds(k);
    assert.ok(ttl > 500 && ttl <= 600, `history TTL ~600 s, got ${ttl}`);
    if (raw.operations) {
      const record = await raw.operations(k);
      assert.ok(
        record.ttlSeconds > 500 && record.ttlSeconds <= 600,
        `record TTL ${record.ttlSeconds}`,
      );
    }
    const second = append([userItem("b")]);
    await store.transact(k, second, { ...(await opts("op-2", second)), ttlSeconds: 0 });
    assert.equal(await raw.ttlSeconds(k), -1, "0: the history no longer expires");
    if (raw.operations) assert.equal((await raw.operations(k)).ttlSeconds, -1);

    await store.pop(k);
    await store.replace(k, [userItem("compacted")], 600);
    assert.equal(await store.transact(k, first, await opts("op-1", first)), "already-applied");
    assert.deepEqual(texts(await store.read(k)), ["compacted"]);

    await store.clear(k);
    assert.equal(await raw.type(k), "none");
    if (raw.operations) assert.equal((await raw.operations(k)).records, null);
    assert.deepEqual(await raw.keys(p), []);
    assert.equal(await store.transact(k, first, await opts("op-1", first)), "applied");
    assert.deepEqual(texts(await store.read(k)), ["a0", "a1", "a2"]);
  });

  if (!skipExpiry) {
    it(
      "the record expires with the history",
      async (store, p) => {
        if (!store.transact) return;
        const k = `${p}k`;
        const first = append([userItem("a")]);
        await store.transact(k, first, { ...(await opts("op-1", first)), ttlSeconds: 1 });
        await sleep(2200);
        assert.deepEqual(await store.read(k), []);
        if (raw.operations) assert.equal((await raw.operations(k)).records, null);
        // Forgotten: the id is free again, even for another transaction.
        const other = append([userItem("b")]);
        assert.equal(await store.transact(k, other, await opts("op-1", other)), "applied");
        assert.deepEqual(texts(await store.read(k)), ["b"]);
      },
      15_000,
    );
  }

  it("the record is bounded: the newest operations are still recognised, older ones dropped, at most twice the record's size kept", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const total = 2 * OPERATIONS_PER_RECORD + 10;
    const operation = (i: number) => {
      const transaction = append([userItem(`t${i}`)]);
      return { transaction, options: opts(`op-${i}`, transaction) };
    };
    for (let i = 0; i < total; i++) {
      const { transaction, options } = operation(i);
      await store.transact(k, transaction, { ...(await options), maxItems: 4 });
    }
    if (raw.operations) {
      const kept = Object.keys((await raw.operations(k)).records ?? {}).length;
      assert.ok(kept <= 2 * OPERATIONS_PER_RECORD, `records kept: ${kept}`);
      assert.ok(kept >= OPERATIONS_PER_RECORD, `records kept: ${kept}`);
    }
    // A retry of any of the newest OPERATIONS_PER_RECORD changes nothing.
    for (let i = total - OPERATIONS_PER_RECORD; i < total; i++) {
      const { transaction, options } = operation(i);
      assert.equal(
        await store.transact(k, transaction, await options),
        "already-applied",
        `op-${i}`,
      );
    }
    assert.deepEqual(
      texts(await store.read(k)),
      [3, 2, 1, 0].map((n) => `t${total - 1 - n}`),
    );
    await store.clear(k);
    if (raw.operations) assert.equal((await raw.operations(k)).records, null);
    const { transaction, options } = operation(total - 1);
    assert.equal(await store.transact(k, transaction, await options), "applied");
  });

  it("maxItems keeps a pair-safe window of the newest items, as append does", async (store, p) => {
    if (!store.transact) return;
    const items = [
      userItem("q1"),
      toolCall("c1"),
      toolResult("c1"),
      { type: "reasoning", id: "rs_1", content: [] } as unknown as AgentInputItem,
      assistantItem("a1", "msg_1"),
    ];
    // The newest 3 would start at c1's output without its call, the newest 1 at msg_1 without
    // rs_1: both windows hold fewer items, never half a pair.
    for (const [maxItems, expected] of [
      [3, ["rs_1", "msg_1"]],
      [2, ["rs_1", "msg_1"]],
      [1, []],
      [4, ["c1", "out:c1", "rs_1", "msg_1"]],
    ] as const) {
      const k = `${p}t${maxItems}`;
      const change = append(items);
      await store.transact(k, change, { ...(await opts("op", change)), maxItems });
      assert.deepEqual(ids(await store.read(k)), expected, `maxItems ${maxItems}`);
      await store.append(`${p}a${maxItems}`, items, { maxItems, ttlSeconds: 600 });
      assert.deepEqual(await store.read(k), await store.read(`${p}a${maxItems}`));
    }
    // Across a replace_suffix too: the window is cut after the change.
    const k = `${p}r`;
    const start = append([userItem("q0"), assistantItem("a0"), userItem("q1")]);
    await store.transact(k, start, await opts("op-1", start));
    const swap = replaceSuffix([userItem("q1")], items.slice(0));
    await store.transact(k, swap, { ...(await opts("op-2", swap)), maxItems: 3 });
    assert.deepEqual(ids(await store.read(k)), ["rs_1", "msg_1"]);
  });

  it("replaceFunctionCall replaces the first call and drops later ones, as the SDK's applySessionHistoryMutations", async (store, p) => {
    if (!store.replaceFunctionCall) return;
    const k = `${p}k`;
    const items = [
      userItem("q"),
      toolCall("c1", '{"v":1}'),
      toolResult("c1"),
      toolCall("c2"),
      toolCall("c1", '{"v":2}'),
      { ...toolResult("c1"), type: "function_call_result" } as AgentInputItem,
      userItem("c1"),
    ];
    const replacement = toolCall("c1", '{"v":"approved"}') as FunctionCall;
    await store.replace(k, items, 600);
    assert.equal(await store.replaceFunctionCall(k, "c1", replacement), true);
    const expected = applySessionHistoryMutations(items, [
      { type: "replace_function_call", callId: "c1", replacement },
    ]);
    assert.deepEqual(await store.read(k), expected);
    const ttl = await raw.ttlSeconds(k);
    assert.ok(ttl > 500 && ttl <= 600, `the TTL is kept, got ${ttl}`);

    const before = await raw.elements(k);
    assert.equal(
      await store.replaceFunctionCall(k, "nope", toolCall("nope") as FunctionCall),
      false,
    );
    assert.deepEqual(await raw.elements(k), before);
    assert.equal(await store.replaceFunctionCall(`${p}missing`, "c1", replacement), false);
    assert.equal(await raw.type(`${p}missing`), "none");
    await assert.rejects(
      () => store.replaceFunctionCall!(k, "c1", userItem("not a call") as FunctionCall),
      TypeError,
    );

    if (store.transact) {
      // A key without expiry stays without.
      const change = append(items);
      await store.transact(`${p}forever`, change, await opts("op", change));
      await store.replaceFunctionCall(`${p}forever`, "c2", toolCall("c2", "[]") as FunctionCall);
      assert.equal(await raw.ttlSeconds(`${p}forever`), -1);
      assert.deepEqual(
        await store.read(`${p}forever`),
        applySessionHistoryMutations(items, [
          {
            type: "replace_function_call",
            callId: "c2",
            replacement: toolCall("c2", "[]") as FunctionCall,
          },
        ]),
      );
    }
  });

  it("transact and replaceFunctionCall past their deadline reject and change nothing", async (store, p) => {
    if (!store.transact) return;
    const k = `${p}k`;
    const first = append([userItem("a"), toolCall("c1")]);
    await store.transact(k, first, await opts("op-1", first));
    const before = await raw.elements(k);
    const past = Date.now() - 1000;
    const late = append([userItem("late")]);
    await assert.rejects(
      async () => store.transact!(k, late, { ...(await opts("op-2", late)), deadline: past }),
      (error: unknown) => !HistoryConflictError.isInstance(error),
    );
    if (store.replaceFunctionCall) {
      await assert.rejects(() =>
        store.replaceFunctionCall!(k, "c1", toolCall("c1", "[]") as FunctionCall, {
          deadline: past,
        }),
      );
    }
    assert.deepEqual(await raw.elements(k), before);
    if (raw.operations) {
      assert.deepEqual(Object.keys((await raw.operations(k)).records ?? {}), ["op-1"]);
    }
    const soon = Date.now() + 5000;
    assert.equal(
      await store.transact(k, late, { ...(await opts("op-2", late)), deadline: soon }),
      "applied",
    );
  });

  if (options.legacy) {
    it("a legacy JSON-array string is converted: transact and replaceFunctionCall see its items", async (store, p) => {
      if (!store.transact) return;
      const k = `${p}k`;
      const legacy = [userItem("old"), toolCall("c1"), toolResult("c1")];
      await raw.plant(k, { type: "string", value: JSON.stringify(legacy) });
      const change = replaceSuffix([toolResult("c1")], [toolResult("c1"), assistantItem("done")]);
      assert.equal(await store.transact(k, change, await opts("op-1", change)), "applied");
      assert.equal(await raw.type(k), "list");
      assert.deepEqual(texts(await store.read(k)), [
        "old",
        "<function_call>",
        "<function_call_result>",
        "done",
      ]);

      await raw.plant(k, { type: "string", value: JSON.stringify(legacy) });
      if (store.replaceFunctionCall) {
        assert.equal(
          await store.replaceFunctionCall(k, "c1", toolCall("c1", "[]") as FunctionCall),
          true,
        );
        assert.deepEqual(
          await store.read(k),
          applySessionHistoryMutations(legacy, [
            {
              type: "replace_function_call",
              callId: "c1",
              replacement: toolCall("c1", "[]") as FunctionCall,
            },
          ]),
        );
      }
      // A value of another type reads as empty: only an empty suffix matches, and it is replaced.
      await raw.plant(`${p}h`, { type: "other" });
      const wrong = replaceSuffix([userItem("x")], []);
      await assert.rejects(
        () => store.transact!(`${p}h`, wrong, optsSync("op-w", "w")),
        (error: unknown) => HistoryConflictError.isInstance(error),
      );
      const onto = append([userItem("fresh")]);
      assert.equal(await store.transact(`${p}h`, onto, await opts("op-h", onto)), "applied");
      assert.deepEqual(texts(await store.read(`${p}h`)), ["fresh"]);
    });
  }
}

type FunctionCall = Extract<AgentInputItem, { type: "function_call" }>;

const append = (items: readonly AgentInputItem[]): HistoryTransaction => ({
  type: "append_items",
  items,
});

const replaceSuffix = (
  expectedSuffix: readonly AgentInputItem[],
  replacement: readonly AgentInputItem[],
): HistoryTransaction => ({ type: "replace_suffix", expectedSuffix, replacement });

/** The caller's fingerprint: any stable digest of the transaction will do for the store. */
const fingerprint = (transaction: HistoryTransaction) => sha1Hex(JSON.stringify(transaction));

async function opts(
  operationId: string,
  transaction: HistoryTransaction,
): Promise<TransactOptions> {
  return { operationId, fingerprint: await fingerprint(transaction) };
}

function optsSync(operationId: string, fingerprint: string): TransactOptions {
  return { operationId, fingerprint };
}

/** Each item's callId for a call, `out:<callId>` for an output, else its id or text. */
const ids = (items: AgentInputItem[]) =>
  items.map((item) => {
    const { id, type, callId } = item as { id?: string; type?: string; callId?: string };
    if (type === "function_call_result") return `out:${callId}`;
    if (type === "function_call") return callId;
    return id ?? texts([item])[0];
  });
