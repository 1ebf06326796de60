import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import { windowOf } from "../../policy/window";
import { CHAIN_TTL_SLACK_DIVISOR, chainLinkElement, parseChainLink } from "../../store/chain-link";
import type { SessionStore } from "../../store/contract";
import { readStoredWindow } from "../../store/stored-json";
import type { GroupContext } from "../group-context";
import { assistantItem, userItem } from "../items";
import { type RawAccess, rawHistory } from "../raw-access";
import { rk } from "../reply-keys";

/*
 * Reply chains, as a reply-scoped bot writes them: each turn reads the replied-to key's window
 * and forks it with the turn's new items under the reply's key. After every turn, every key
 * written so far must read exactly what an independent model says: the pair-safe window of
 * the newest maxItems of its parent's window plus its own items, computed on plain arrays.
 * On the chained layout the raw keys are checked too: a link to the parent and the new items.
 */

/** Item `i` of a turn, cycling through plain messages, reasoning pairs and tool call pairs. */
export function turnItems(turn: number, count: number): AgentInputItem[] {
  const items: AgentInputItem[] = [userItem(`t${turn}q`)];
  for (let i = 1; items.length < count; i++) {
    const kind = (turn + i) % 3;
    if (kind === 0) {
      items.push({ type: "reasoning", id: `rs_${turn}_${i}`, content: [] } as AgentInputItem);
      items.push(assistantItem(`t${turn}a${i}`, `msg_${turn}_${i}`));
    } else if (kind === 1) {
      items.push({
        type: "function_call",
        callId: `call_${turn}_${i}`,
        name: "f",
        arguments: "{}",
      } as AgentInputItem);
      items.push({
        type: "function_call_result",
        callId: `call_${turn}_${i}`,
        name: "f",
        status: "completed",
        output: { type: "text", text: `r${turn}_${i}` },
      } as AgentInputItem);
    } else {
      items.push(assistantItem(`t${turn}a${i}`));
    }
  }
  return items;
}

/** The conversation as the model expects it: each key's full stored history. */
export class Model {
  readonly #histories = new Map<string, AgentInputItem[]>();
  constructor(readonly maxItems: number) {}

  /** Everything the key's history holds (a read without a limit). */
  stored(key: string): AgentInputItem[] {
    return this.#histories.get(key) ?? [];
  }

  /** What a read of `key` with a window of maxItems returns. */
  window(key: string): AgentInputItem[] {
    return windowOf(this.#histories.get(key) ?? [], this.maxItems);
  }

  reply(parent: string | null, child: string, fresh: AgentInputItem[]): void {
    const before = parent === null ? [] : this.window(parent);
    this.#histories.set(child, windowOf([...before, ...fresh], this.maxItems));
  }

  /** The key's history is now `items` (a change in place). */
  set(key: string, items: AgentInputItem[]): void {
    this.#histories.set(key, items);
  }

  forget(key: string): void {
    this.#histories.delete(key);
  }

  keys(): string[] {
    return [...this.#histories.keys()];
  }
}

/** One turn as a reply session makes it: read the parent's window, fork it under the child. */
export async function turn(
  store: SessionStore,
  model: Model,
  parent: string | null,
  child: string,
  fresh: AgentInputItem[],
  ttlSeconds = 600,
): Promise<void> {
  const read =
    parent === null
      ? { items: [], elements: [] }
      : await readStoredWindow(store, parent, model.maxItems);
  await store.fork(parent, [child], fresh, {
    maxItems: model.maxItems,
    ttlSeconds,
    parentItems: read.items,
    parentElements: read.elements,
  });
  model.reply(parent, child, fresh);
}

export async function assertExact(
  store: SessionStore,
  raw: RawAccess,
  model: Model,
  keys = model.keys(),
): Promise<void> {
  for (const key of keys) {
    if ((await raw.type(key)) === "list") {
      const stored = (await rawHistory(raw, key)).map((element) => JSON.parse(element));
      assert.deepEqual(stored, model.stored(key), `raw history of ${key}`);
    }
    const expected = model.window(key);
    assert.deepEqual(
      (await readStoredWindow(store, key, model.maxItems)).items,
      expected,
      `history of ${key}`,
    );
    assert.deepEqual(await store.read(key), expected, `full read of ${key}`);
  }
}

/** The chain cases: deep chains, forks at every depth, TTLs, tails of other layouts, pairs. */
export function chainGroup({ it, raw, sleep, skipExpiry, layout }: GroupContext): void {
  const chained = layout === "chain";

  it(
    "a deep chain reads exactly the expected window after every turn",
    async (store, p) => {
      const model = new Model(7);
      let parent: string | null = null;
      for (let t = 0; t < 30; t++) {
        const child = rk(p, `m${t}`);
        const fresh = turnItems(t, 1 + (t % 4));
        await turn(store, model, parent, child, fresh);
        await assertExact(store, raw, model, [child]);
        if (chained && parent !== null) {
          const elements = await raw.elements(child);
          const link = parseChainLink(elements[0]);
          assert.equal(link?.parent, parent, `${child} links to its parent`);
          assert.deepEqual(
            elements.slice(1),
            fresh.map((item) => JSON.stringify(item)),
          );
        }
        parent = child;
      }
      await assertExact(store, raw, model);
    },
    60_000,
  );

  it(
    "forks at every depth leave every other branch as it was",
    async (store, p) => {
      const model = new Model(6);
      const main: string[] = [];
      let parent: string | null = null;
      for (let t = 0; t < 12; t++) {
        const child = rk(p, `m${t}`);
        await turn(store, model, parent, child, turnItems(t, 1 + (t % 3)));
        main.push(child);
        parent = child;
      }
      for (let depth = 0; depth < main.length; depth++) {
        // A reply to an older answer, and a reply to that reply.
        await turn(store, model, main[depth]!, rk(p, `f${depth}`), turnItems(100 + depth, 2));
        await turn(store, model, rk(p, `f${depth}`), rk(p, `g${depth}`), turnItems(200 + depth, 1));
        await assertExact(store, raw, model);
      }
    },
    60_000,
  );

  it("a fork gives several children the same history", async (store, p) => {
    const model = new Model(5);
    await turn(store, model, null, rk(p, "a"), turnItems(0, 3));
    await turn(store, model, rk(p, "a"), rk(p, "b"), turnItems(1, 2));
    const read = await readStoredWindow(store, rk(p, "b"), 5);
    const fresh = turnItems(2, 2);
    await store.fork(rk(p, "b"), [rk(p, "c1"), rk(p, "c2")], fresh, {
      maxItems: 5,
      ttlSeconds: 600,
      parentItems: read.items,
      parentElements: read.elements,
    });
    model.reply(rk(p, "b"), rk(p, "c1"), fresh);
    model.reply(rk(p, "b"), rk(p, "c2"), fresh);
    await turn(store, model, rk(p, "c2"), rk(p, "d"), turnItems(3, 1));
    await assertExact(store, raw, model);
  });

  it("a write raises the TTL of every key its window reads from, and only those", async (store, p) => {
    const model = new Model(4);
    let parent: string | null = null;
    for (let t = 0; t < 6; t++) {
      await turn(store, model, parent, rk(p, `m${t}`), turnItems(10 * t, 1), 100);
      parent = rk(p, `m${t}`);
    }
    // m6's window (4 items) takes 3 from its parent's history: from m5, m4 and m3.
    await turn(store, model, parent, rk(p, "m6"), [userItem("last")], 1000);
    const ttls = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6].map((t) => raw.ttlSeconds(rk(p, `m${t}`))),
    );
    if (chained) {
      for (const t of [3, 4, 5]) assert.ok(ttls[t]! > 900, `m${t} TTL raised, got ${ttls[t]}`);
      // Raised by the forks before, at most by their slack (see CHAIN_TTL_SLACK_DIVISOR).
      const kept = 100 + 100 / CHAIN_TTL_SLACK_DIVISOR;
      for (const t of [0, 1, 2]) assert.ok(ttls[t]! <= kept, `m${t} TTL kept, got ${ttls[t]}`);
    }
    assert.ok(ttls[6]! > 900 && ttls[6]! <= 1000, `m6 TTL ~1000 s, got ${ttls[6]}`);
    // A shorter TTL never cuts an ancestor's.
    await turn(store, model, rk(p, "m6"), rk(p, "m7"), [userItem("short")], 10);
    assert.ok((await raw.ttlSeconds(rk(p, "m6"))) > 900);
    // TTL 0 (no expiry): the reply and every key its window reads from never expire.
    await turn(store, model, rk(p, "m7"), rk(p, "m8"), [userItem("forever")], 0);
    assert.equal(await raw.ttlSeconds(rk(p, "m8")), -1);
    if (chained) {
      for (const t of [5, 6, 7]) assert.equal(await raw.ttlSeconds(rk(p, `m${t}`)), -1, `m${t}`);
      assert.ok((await raw.ttlSeconds(rk(p, "m4"))) > 0, "m4 is outside the window");
    }
    await assertExact(store, raw, model);
  });

  if (!skipExpiry) {
    it(
      "ancestors no window reads from expire on their own; the newest history stays whole",
      async (store, p) => {
        const model = new Model(3);
        let parent: string | null = null;
        for (let t = 0; t < 5; t++) {
          await turn(store, model, parent, rk(p, `m${t}`), [userItem(`u${t}`)], 1);
          parent = rk(p, `m${t}`);
        }
        // Its window (3 items) reads from m4 and m3 only.
        await turn(store, model, parent, rk(p, "m5"), [userItem("u5")], 600);
        await sleep(2200);
        for (const t of [0, 1, 2]) assert.equal(await raw.type(rk(p, `m${t}`)), "none");
        for (const t of [0, 1, 2]) model.forget(rk(p, `m${t}`));
        await assertExact(store, raw, model, [rk(p, "m5")]);
        await turn(store, model, rk(p, "m5"), rk(p, "m6"), [userItem("u6")], 600);
        await assertExact(store, raw, model, [rk(p, "m5"), rk(p, "m6")]);
      },
      15_000,
    );
  }

  it("a chain may end in a full list, as the copy layout stored it", async (store, p) => {
    const model = new Model(5);
    const full = turnItems(0, 4);
    await raw.plant(rk(p, "copy"), {
      type: "list",
      elements: full.map((item) => JSON.stringify(item)),
    });
    model.reply(null, rk(p, "copy"), full);
    let parent = rk(p, "copy");
    for (let t = 1; t < 8; t++) {
      await turn(store, model, parent, rk(p, `m${t}`), turnItems(t, 1 + (t % 2)));
      await turn(store, model, rk(p, "copy"), rk(p, `f${t}`), turnItems(50 + t, 1));
      parent = rk(p, `m${t}`);
      await assertExact(store, raw, model);
    }
  });

  it("a reply key holding only a link and no items reads as its parent's history", async (store, p) => {
    const model = new Model(4);
    await turn(store, model, null, rk(p, "a"), turnItems(0, 3));
    await turn(store, model, rk(p, "a"), rk(p, "empty"), []);
    await turn(store, model, rk(p, "empty"), rk(p, "b"), turnItems(1, 2));
    await assertExact(store, raw, model);
  });

  it("a link that loops back ends the walk instead of hanging", async (store, p) => {
    if (!chained) return;
    const item = JSON.stringify(userItem("x"));
    const y = JSON.stringify(userItem("y"));
    await raw.plant(rk(p, "a"), {
      type: "list",
      elements: [chainLinkElement({ take: 5, parent: rk(p, "b") }), item],
    });
    await raw.plant(rk(p, "b"), {
      type: "list",
      elements: [chainLinkElement({ take: 5, parent: rk(p, "a") }), y],
    });
    assert.deepEqual(await store.read(rk(p, "a")), [userItem("y"), userItem("x")]);
  });
}

/**
 * Chains ending in a legacy JSON string (the Python bot's cache format): readable, forkable.
 * Redis-protocol stores only (part of the `legacy` group's switch).
 */
export function legacyChainGroup({ it, raw, layout }: GroupContext): void {
  it("a chain may start from a legacy JSON string and fork from it at any point", async (store, p) => {
    const model = new Model(5);
    const legacy = [userItem("py0"), assistantItem("py1"), userItem("py2")];
    await raw.plant(rk(p, "legacy"), { type: "string", value: JSON.stringify(legacy) });
    model.reply(null, rk(p, "legacy"), legacy);
    let parent = rk(p, "legacy");
    for (let t = 0; t < 6; t++) {
      await turn(store, model, parent, rk(p, `m${t}`), turnItems(t, 1 + (t % 2)));
      await turn(store, model, rk(p, "legacy"), rk(p, `f${t}`), turnItems(50 + t, 1));
      parent = rk(p, `m${t}`);
      await assertExact(store, raw, model);
    }
    assert.equal(await raw.type(rk(p, "legacy")), "string");
  });

  it("a link to another chat's legacy JSON string is refused, and the string left as it was", async (store, p) => {
    if (layout !== "chain") return;
    const foreign = JSON.stringify([userItem("chat 999's secret")]);
    await raw.plant(rk(p, "legacy", 999), { type: "string", value: foreign }, 1800);
    await raw.plant(rk(p, "child"), {
      type: "list",
      elements: [
        chainLinkElement({ take: 2, parent: rk(p, "legacy", 999) }),
        JSON.stringify(userItem("n")),
      ],
    });
    assert.deepEqual(await store.read(rk(p, "child")), [userItem("n")]);
    const read = await readStoredWindow(store, rk(p, "child"), 50);
    await store.fork(rk(p, "child"), [rk(p, "next")], [userItem("m")], {
      maxItems: 50,
      ttlSeconds: 3600,
      parentItems: read.items,
      parentElements: read.elements,
    });
    assert.deepEqual(await store.read(rk(p, "next")), [userItem("n"), userItem("m")]);
    assert.equal(await raw.type(rk(p, "legacy", 999)), "string");
    const ttl = await raw.ttlSeconds(rk(p, "legacy", 999));
    assert.ok(ttl > 0 && ttl <= 1800, `the string's TTL is not raised, got ${ttl}`);
  });

  it("a link to a legacy JSON string reads the string's newest items", async (store, p) => {
    if (layout !== "chain") return;
    const legacy = [userItem("py0"), assistantItem("py1"), userItem("py2")];
    await raw.plant(rk(p, "legacy"), { type: "string", value: JSON.stringify(legacy) });
    await raw.plant(rk(p, "child"), {
      type: "list",
      elements: [
        chainLinkElement({ take: 2, parent: rk(p, "legacy") }),
        JSON.stringify(userItem("n")),
      ],
    });
    assert.deepEqual(await store.read(rk(p, "child")), [legacy[1], legacy[2], userItem("n")]);
    assert.deepEqual(await store.read(rk(p, "child"), 2), [legacy[2], userItem("n")]);
    // A change in place would rewrite the legacy items through Lua's cjson, which reorders
    // their keys: refused with a reason, and nothing changes.
    await assert.rejects(store.pop(rk(p, "child")), /legacy JSON string/);
    assert.deepEqual(await store.read(rk(p, "child")), [legacy[1], legacy[2], userItem("n")]);
    assert.ok(parseChainLink((await raw.elements(rk(p, "child")))[0]));
  });
}
