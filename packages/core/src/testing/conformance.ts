import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import { elementText, type SessionStore, type StoredElement } from "../store";

/** What a raw key holds, as planted or seen by an independent reader of the backend. */
export type RawValue =
  | { type: "list"; elements: string[] }
  | { type: "string"; value: string }
  /** A value of another type (a Redis hash, say): the store must read it as empty. */
  | { type: "other" };

/**
 * Reads and writes the backend directly, not through the store under test (for Redis: a
 * separate client), so the suite checks what was really written.
 */
export interface RawAccess {
  /** `list`, `string`, `none`, or the backend's name for another type. */
  type(key: string): Promise<string>;
  /** Remaining TTL in seconds; -2 when the key is missing, -1 when it has no TTL. */
  ttlSeconds(key: string): Promise<number>;
  /** The raw elements of a list key, oldest first. */
  elements(key: string): Promise<string[]>;
  /** Every key that starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /** Puts a raw value under `key` (legacy strings, malformed elements, foreign types). */
  plant(key: string, value: RawValue): Promise<void>;
}

/** The subset of vitest's (or node:test's) `test` the suite needs. */
export type TestFn = (name: string, fn: () => Promise<void>, timeoutMs?: number) => unknown;

export interface ConformanceOptions {
  raw: RawAccess;
  /** Waits `ms` of store time: a real sleep for servers, a clock advance for a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Close each store after its test (default true). */
  closeStores?: boolean;
  /** Test name prefix, e.g. the adapter name. */
  name?: string;
  /** Skip the TTL expiry test (it waits ~2.2 s of store time). Default false. */
  skipExpiry?: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function userItem(text: string): AgentInputItem {
  return { role: "user", content: text } as AgentInputItem;
}

export function assistantItem(text: string, id?: string): AgentInputItem {
  return {
    role: "assistant",
    status: "completed",
    ...(id ? { id } : {}),
    content: [{ type: "output_text", text }],
  } as AgentInputItem;
}

function texts(items: AgentInputItem[]): string[] {
  return items.map((item) => {
    const content = (item as { content?: unknown }).content;
    if (typeof content === "string") return content;
    if (Array.isArray(content)) return content.map((part) => part.text).join("");
    return `<${(item as { type?: string }).type}>`;
  });
}

function numbered(prefix: string, count: number): AgentInputItem[] {
  return Array.from({ length: count }, (_, index) => userItem(`${prefix}${index}`));
}

let suiteCounter = 0;

/**
 * The store conformance suite: every `SessionStore` passes it. Call it from a test file:
 *
 * ```ts
 * runStoreConformance(test, () => new MyStore(client), { raw: myRawReader });
 * ```
 *
 * `makeStore` is called once per test; each test uses keys under its own random prefix, so
 * tests never see each other's data and a shared server needs no flushing.
 */
export function runStoreConformance(
  test: TestFn,
  makeStore: () => SessionStore | Promise<SessionStore>,
  options: ConformanceOptions,
): void {
  const { raw } = options;
  const sleep = options.sleep ?? realSleep;
  const closeStores = options.closeStores ?? true;
  const label = options.name ? `${options.name}: ` : "";
  const suiteId = `${process.pid}-${++suiteCounter}-${Math.random().toString(36).slice(2, 8)}`;
  let testCounter = 0;

  const it = (
    name: string,
    body: (store: SessionStore, prefix: string) => Promise<void>,
    timeoutMs?: number,
  ) => {
    test(
      `${label}${name}`,
      async () => {
        const prefix = `am-conf:${suiteId}:${++testCounter}:`;
        const store = await makeStore();
        try {
          await body(store, prefix);
        } finally {
          if (closeStores) await store.close?.();
        }
      },
      timeoutMs,
    );
  };
  const ttlOpts = (maxItems = 50, ttlSeconds = 600) => ({ maxItems, ttlSeconds });

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

  it("replace sets the TTL and replaces the items", async (store, p) => {
    await store.replace(`${p}k`, numbered("old", 5), 50);
    await store.replace(`${p}k`, numbered("new", 2), 700);
    assert.deepEqual(texts(await store.read(`${p}k`)), ["new0", "new1"]);
    const ttl = await raw.ttlSeconds(`${p}k`);
    assert.ok(ttl > 600 && ttl <= 700, `TTL ~700 s, got ${ttl}`);
    await store.replace(`${p}k`, [], 700);
    assert.deepEqual(await store.read(`${p}k`), []);
  });

  if (!options.skipExpiry) {
    it(
      "the key expires after its TTL",
      async (store, p) => {
        await store.replace(`${p}r`, numbered("r", 2), 1);
        await store.append(`${p}a`, numbered("a", 2), ttlOpts(50, 1));
        await store.fork(null, [`${p}f`], numbered("f", 1), { ...ttlOpts(50, 1), parentItems: [] });
        assert.equal((await store.read(`${p}r`)).length, 2);
        await sleep(2200);
        assert.deepEqual(await store.read(`${p}r`), []);
        assert.deepEqual(await store.read(`${p}a`), []);
        assert.deepEqual(await store.read(`${p}f`), []);
        assert.equal(await raw.type(`${p}r`), "none");
      },
      15_000,
    );
  }

  it("a trim never keeps an answer without its reasoning item (append, fork copy, fork in full)", async (store, p) => {
    const turn = (n: number) => [
      userItem(`q${n}`),
      { type: "reasoning", id: `rs_${n}`, content: [] } as unknown as AgentInputItem,
      assistantItem(`a${n}`, `msg_${n}`),
    ];
    const ids = (items: AgentInputItem[]) =>
      items.map((item) => (item as { id?: string }).id ?? texts([item])[0]);
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

  it("pop returns the newest item and removes it", async (store, p) => {
    await store.replace(`${p}k`, numbered("p", 3), 600);
    assert.deepEqual(texts([(await store.pop(`${p}k`))!]), ["p2"]);
    assert.deepEqual(texts(await store.read(`${p}k`)), ["p0", "p1"]);
    await store.pop(`${p}k`);
    await store.pop(`${p}k`);
    assert.equal(await store.pop(`${p}k`), undefined);
    assert.equal(await raw.type(`${p}k`), "none");
  });

  it("pop agrees with read on what an item is: padded JSON is popped, what JSON.parse rejects is dropped", async (store, p) => {
    const padded = ` \n\t${JSON.stringify(userItem("padded"))}`;
    await raw.plant(`${p}padded`, {
      type: "list",
      elements: [JSON.stringify(userItem("first")), padded],
    });
    assert.deepEqual(texts(await store.read(`${p}padded`)), ["first", "padded"]);
    assert.deepEqual(texts([(await store.pop(`${p}padded`))!]), ["padded"]);
    assert.deepEqual(texts(await store.read(`${p}padded`)), ["first"]);
    // Starts like an object, but no JSON parser in JS accepts it (Lua's cjson does: 0x10).
    await raw.plant(`${p}hex`, {
      type: "list",
      elements: [JSON.stringify(userItem("below")), '{"role":"user","content":0x10}'],
    });
    assert.deepEqual(texts(await store.read(`${p}hex`)), ["below"]);
    assert.deepEqual(texts([(await store.pop(`${p}hex`))!]), ["below"]);
    assert.equal(await raw.type(`${p}hex`), "none");
  });

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

  it("clear deletes the key and nothing else", async (store, p) => {
    await store.replace(`${p}a`, numbered("a", 2), 600);
    await store.replace(`${p}b`, numbered("b", 2), 600);
    await store.clear(`${p}a`);
    assert.deepEqual(await store.read(`${p}a`), []);
    assert.equal((await store.read(`${p}b`)).length, 2);
    assert.deepEqual(await raw.keys(p), [`${p}b`]);
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

  it("malformed elements are skipped; other types read as empty; nothing crashes", async (store, p) => {
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

    await raw.plant(`${p}str`, { type: "string", value: "not a json array" });
    assert.deepEqual(await store.read(`${p}str`), []);
    await raw.plant(`${p}obj`, { type: "string", value: '{"a":1}' });
    assert.deepEqual(await store.read(`${p}obj`), []);
    await raw.plant(`${p}other`, { type: "other" });
    assert.deepEqual(await store.read(`${p}other`), []);
    assert.equal(await store.pop(`${p}other`), undefined);

    await raw.plant(`${p}empty`, { type: "list", elements: [] });
    assert.deepEqual(await store.read(`${p}empty`), []);
  });

  it("rejects bad arguments with a clear error and writes nothing", async (store, p) => {
    await assert.rejects(() => store.read(42 as unknown as string), TypeError);
    await assert.rejects(
      () => store.append(`${p}k`, [userItem("x")], { maxItems: 0, ttlSeconds: 10 }),
      RangeError,
    );
    await assert.rejects(
      () => store.append(`${p}k`, [userItem("x")], { maxItems: 5, ttlSeconds: 0 }),
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

  // Stored JSON as another writer formatted it (spaces, key order): what must survive verbatim.
  const foreignJson = (text: string) => `{ "content": ${JSON.stringify(text)},  "role": "user" }`;

  it("readStored (when the store has it) gives each item's stored JSON, verbatim, beside it", async (store, p) => {
    if (typeof store.readStored !== "function") return;
    // Non-ASCII text: elements given as UTF-8 bytes must decode to the same JSON.
    const elements = [
      foreignJson("f0 привет 👋"),
      "not json",
      JSON.stringify(userItem("u1")),
      "[1]",
    ];
    await raw.plant(`${p}k`, { type: "list", elements });
    const stored = await store.readStored(`${p}k`);
    assert.deepEqual(stored.elements.map(elementText), [elements[0], elements[2]]);
    assert.deepEqual(stored.items, await store.read(`${p}k`));
    assert.deepEqual(
      stored.items,
      stored.elements.map((element) => JSON.parse(elementText(element))),
    );
    const newest = await store.readStored(`${p}k`, 2);
    assert.deepEqual(
      newest.elements.map(elementText),
      [elements[2]],
      "limit counts stored elements, then skips",
    );
    assert.deepEqual(await store.readStored(`${p}missing`), { items: [], elements: [] });
    const legacy = [userItem("py-user"), assistantItem("py-bot")];
    await raw.plant(`${p}legacy`, { type: "string", value: JSON.stringify(legacy) });
    const fromLegacy = await store.readStored(`${p}legacy`, 1);
    assert.deepEqual(fromLegacy.items, [legacy[1]]);
    assert.deepEqual(
      fromLegacy.elements.map((e) => JSON.parse(elementText(e))),
      [legacy[1]],
    );
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
      assert.deepEqual(await raw.elements(key), expected, key);
      assert.ok((await raw.ttlSeconds(key)) > 500, `${key} has the TTL`);
    };
    // The elements as the store read them, and both forms a caller may hold (a plain
    // Uint8Array, not a Node Buffer, for the bytes).
    const forms: [string, (read: StoredElement[]) => StoredElement[]][] = [
      ["read", (read) => read],
      ["text", (read) => read.map(elementText)],
      ["bytes", (read) => read.map((e) => new TextEncoder().encode(elementText(e)))],
    ];
    for (const [form, as] of forms) {
      const q = `${p}${form}:`;
      await raw.plant(`${q}parent`, { type: "list", elements: parent });
      const read = as((await store.readStored(`${q}parent`)).elements);

      // Unchanged parent: the store may copy it server-side.
      await store.fork(`${q}parent`, [`${q}a`, `${q}b`], [fresh], options(read));
      for (const key of [`${q}a`, `${q}b`])
        await expectChild(key, [...parent, JSON.stringify(fresh)]);
      // Trimmed to maxItems.
      await store.fork(`${q}parent`, [`${q}trim`], [fresh], options(read, 2));
      await expectChild(`${q}trim`, [parent[2]!, JSON.stringify(fresh)]);
      // Changed since it was read: the children get what was read, as it was stored.
      await store.append(`${q}parent`, [userItem("late")], ttlOpts());
      await store.fork(`${q}parent`, [`${q}changed`], [fresh], options(read));
      await expectChild(`${q}changed`, [...parent, JSON.stringify(fresh)]);
      // Gone, or no parent key at all.
      await store.clear(`${q}parent`);
      await store.fork(`${q}parent`, [`${q}gone`], [fresh], options(read));
      await expectChild(`${q}gone`, [...parent, JSON.stringify(fresh)]);
      await store.fork(null, [`${q}orphan`], [fresh], options(read.slice(0, 1)));
      await expectChild(`${q}orphan`, [parent[0]!, JSON.stringify(fresh)]);
    }
    await assert.rejects(
      () => store.fork(null, [`${p}bad`], [fresh], options([42 as unknown as StoredElement])),
      TypeError,
    );
    assert.equal(await raw.type(`${p}bad`), "none");
  });
}
