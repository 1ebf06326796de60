import type { AgentInputItem } from "@openai/agents";
import { describe, expect, test } from "vitest";
import { MemoryStore, StoreError, StoreSession, silentLogger } from "../src";
import { FaultyStore } from "./__fixtures__/faulty-store";

const user = (text: string) => ({ role: "user", content: text }) as AgentInputItem;
const texts = (items: AgentInputItem[]) => items.map((i: any) => i.content);

function session(
  store = new MemoryStore({ sweepIntervalMs: 0 }),
  extra: Record<string, unknown> = {},
) {
  return new StoreSession({ store, key: "user:1", logger: silentLogger, ...extra });
}

describe("StoreSession, as the SDK's MemorySession tests assert", () => {
  test("getItems(n) gives the newest n in order; no limit gives all", async () => {
    const s = session();
    await s.addItems([user("a"), user("b"), user("c")]);
    expect(texts(await s.getItems())).toEqual(["a", "b", "c"]);
    expect(texts(await s.getItems(2))).toEqual(["b", "c"]);
    expect(await s.getItems(0)).toEqual([]);
    expect(await s.getSessionId()).toBe("user:1");
  });

  test("popItem returns and removes the newest; clearSession empties", async () => {
    const s = session();
    await s.addItems([user("a"), user("b")]);
    expect(texts([(await s.popItem())!])).toEqual(["b"]);
    expect(texts(await s.getItems())).toEqual(["a"]);
    await s.clearSession();
    expect(await s.getItems()).toEqual([]);
    expect(await s.popItem()).toBeUndefined();
  });

  test("returned items are copies", async () => {
    const s = session();
    const item = user("a");
    await s.addItems([item]);
    (item as any).content = "changed";
    const [read] = await s.getItems();
    (read as any).content = "changed too";
    expect(texts(await s.getItems())).toEqual(["a"]);
  });

  test("trims to maxItems and filters tool and __fake_id__ items on write and read", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const s = session(store, { maxItems: 3 });
    await s.addItems([
      user("1"),
      { type: "function_call", callId: "c", name: "f", arguments: "{}" } as AgentInputItem,
      user("2"),
      { role: "assistant", id: "__fake_id__", status: "completed", content: [] } as AgentInputItem,
      user("3"),
      user("4"),
    ]);
    expect(texts(await s.getItems())).toEqual(["2", "3", "4"]);
    // Legacy data written by someone else still never reaches the model.
    store.plant(
      "user:1",
      [user("old"), { type: "function_call_output", call_id: "c", output: "x" }].map((item) =>
        JSON.stringify(item),
      ),
    );
    expect(texts(await s.getItems())).toEqual(["old"]);
  });
});

describe("StoreSession when the store fails", () => {
  test("getItems yields [] and addItems is skipped, each reported with key and cause", async () => {
    const store = new FaultyStore();
    const failures: Array<{ operation: string; key: string; error: unknown }> = [];
    const s = session(store as any, { onStoreError: (f: any) => failures.push(f) });
    store.mode = "throw";
    expect(await s.getItems()).toEqual([]);
    await expect(s.addItems([user("x")])).resolves.toBeUndefined();
    expect(failures.map((f) => [f.operation, f.key])).toEqual([
      ["read", "user:1"],
      ["append", "user:1"],
    ]);
    expect(StoreError.isInstance(failures[0]!.error)).toBe(true);
    expect(String((failures[0]!.error as Error).cause)).toMatch(/backend down/);
  });

  test("a hanging store costs at most timeoutMs per call", async () => {
    const store = new FaultyStore();
    store.mode = "hang";
    const s = session(store as any, { timeoutMs: 100 });
    const started = performance.now();
    expect(await s.getItems()).toEqual([]);
    await s.addItems([user("x")]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    // A hang would never end; the slack only absorbs a loaded machine.
    expect(elapsed).toBeLessThan(200 + 1000);
  });

  test("popItem and clearSession reject with a StoreError instead of pretending", async () => {
    const store = new FaultyStore();
    store.mode = "throw";
    const s = session(store as any);
    await expect(s.popItem()).rejects.toSatisfy((e) => StoreError.isInstance(e));
    await expect(s.clearSession()).rejects.toThrow(/clear user:1 failed/);
  });

  test("a throwing onStoreError callback does not break the run", async () => {
    const store = new FaultyStore();
    store.mode = "throw";
    const s = session(store as any, {
      onStoreError: () => {
        throw new Error("callback bug");
      },
    });
    expect(await s.getItems()).toEqual([]);
  });

  test("bad options are rejected at construction", () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    expect(() => new StoreSession({ store, key: "" })).toThrow(/store key/);
    expect(() => new StoreSession({ store, key: "k", maxItems: 0 })).toThrow(/maxItems/);
    expect(() => new StoreSession({ store, key: "k", ttlSeconds: -1 })).toThrow(/ttlSeconds/);
    expect(() => new StoreSession({ store, key: "k", timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new StoreSession({ store: {} as any, key: "k" })).toThrow(/SessionStore/);
  });
});
