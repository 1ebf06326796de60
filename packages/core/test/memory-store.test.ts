import { describe, expect, test, vi } from "vitest";
import { MemoryStore, silentLogger } from "../src";
import { chainLinkElement, readStoredWindow } from "../src/store";

const user = (text: string) => ({ role: "user", content: text }) as any;

describe("MemoryStore", () => {
  test("honours TTL on an injected clock and sweeps expired keys", async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 0, logger: silentLogger });
    for (let i = 0; i < 1000; i++) await store.replace(`k${i}`, [user("x")], 10);
    await store.replace("long", [user("keep")], 1000);
    expect(store.size).toBe(1001);
    now += 11_000;
    // Expired keys are gone from reads at once, and from memory after a sweep.
    expect(await store.read("k1")).toEqual([]);
    expect(store.sweep()).toBe(999);
    expect(store.size).toBe(1);
    expect(await store.read("long")).toEqual([user("keep")]);
    await store.close();
  });

  test("sweeps on its own timer so an idle process does not grow", async () => {
    vi.useFakeTimers();
    try {
      const store = new MemoryStore({ sweepIntervalMs: 1000, logger: silentLogger });
      await store.replace("a", [user("x")], 1);
      vi.advanceTimersByTime(2500);
      expect(store.size).toBe(0);
      await store.close();
    } finally {
      vi.useRealTimers();
    }
  });

  test("stores copies: mutating an item after writing or reading it changes nothing stored", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const item = { role: "user", content: [{ type: "input_text", text: "original" }] } as any;
    await store.append("k", [item], { maxItems: 5, ttlSeconds: 60 });
    item.content[0].text = "mutated";
    const read = await store.read("k");
    expect((read[0] as any).content[0].text).toBe("original");
    (read[0] as any).content[0].text = "mutated again";
    expect(((await store.read("k"))[0] as any).content[0].text).toBe("original");
    const parentItems = [user("p")];
    await store.fork(null, ["c"], [user("n")], { maxItems: 5, ttlSeconds: 60, parentItems });
    (parentItems[0] as any).content = "changed";
    expect(await store.read("c")).toEqual([user("p"), user("n")]);
  });

  test("logs a skipped malformed element instead of crashing", async () => {
    const warnings: unknown[] = [];
    const store = new MemoryStore({
      sweepIntervalMs: 0,
      logger: { warn: (fields) => warnings.push(fields), error() {} },
    });
    store.plant("k", ["{oops", JSON.stringify(user("ok"))]);
    expect(await store.read("k")).toEqual([user("ok")]);
    expect(warnings).toEqual([{ store: "memory", key: "k", skipped: 1, reasons: ["not JSON"] }]);
  });

  test("pop logs what it dropped with the key, and nothing else", async () => {
    const warnings: unknown[] = [];
    const store = new MemoryStore({
      sweepIntervalMs: 0,
      logger: { warn: (fields) => warnings.push(fields), error() {} },
    });
    store.plant("k", [JSON.stringify(user("ok")), "{oops"]);
    expect(await store.pop("k")).toEqual(user("ok"));
    expect(warnings).toEqual([{ store: "memory", key: "k", skipped: 1 }]);
  });

  test("a chain whose ancestor is gone reads the part after it, and says which key is missing", async () => {
    const warnings: { fields: unknown; message: string }[] = [];
    const store = new MemoryStore({
      sweepIntervalMs: 0,
      logger: { warn: (fields, message) => warnings.push({ fields, message }), error() {} },
    });
    const opts = { maxItems: 50, ttlSeconds: 600 };
    const [a, b, c] = ["bot:1:7", "bot:2:7", "bot:3:7"];
    await store.fork(null, [a], [user("a0")], { ...opts, parentItems: [] });
    await store.fork(a, [b], [user("b0")], { ...opts, parentItems: [user("a0")] });
    await store.fork(b, [c], [user("c0")], { ...opts, parentItems: [user("a0"), user("b0")] });
    expect(await store.read(c)).toEqual([user("a0"), user("b0"), user("c0")]);
    expect(warnings).toEqual([]);
    await store.clear(b);
    expect(await store.readStored(c)).toMatchObject({ gap: { kind: "missing", at: b } });
    expect(await store.read(c)).toEqual([user("c0")]);
    expect(warnings[0]).toEqual({
      fields: { store: "memory", key: c, at: b, missing: b },
      message:
        "a key this history links to is gone (expired, evicted or deleted); read the part after it",
    });
  });

  test("a refused link is logged once per read, with the key, the key it names and the reason; a turn over it logs nothing more", async () => {
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const store = new MemoryStore({
      sweepIntervalMs: 0,
      logger: { warn: (fields, message) => warnings.push({ fields, message }), error() {} },
    });
    store.plant("bot:1:999", [JSON.stringify(user("chat 999's secret"))], 1800);
    store.plant("bot:2:7", [
      chainLinkElement({ take: 5, parent: "bot:1:999" }),
      JSON.stringify(user("mine")),
    ]);
    const read = await readStoredWindow(store, "bot:2:7", 50);
    expect(read.items).toEqual([user("mine")]);
    expect(warnings).toEqual([
      {
        fields: {
          store: "memory",
          key: "bot:2:7",
          at: "bot:2:7",
          parent: "bot:1:999",
          reason: "other-chat",
          why: "the link names another chat's key",
        },
        message: "a link in this history was refused and not followed; read the part after it",
      },
    ]);
    await store.fork("bot:2:7", ["bot:3:7"], [user("next")], {
      maxItems: 50,
      ttlSeconds: 3600,
      parentItems: read.items,
      parentElements: read.elements,
    });
    expect(warnings).toHaveLength(1);
    expect(store.inspect("bot:1:999").ttlSeconds).toBeLessThanOrEqual(1800);
  });
});
