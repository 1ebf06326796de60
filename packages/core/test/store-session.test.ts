import type { AgentInputItem } from "@openai/agents";
import { describe, expect, test } from "vitest";
import { MemoryStore, StoreError, StoreSession, silentLogger } from "../src";
import { userItem } from "../src/testing";
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
    // Both opt in (the defaults are MemorySession's: everything kept, no trim); `filter: {}` is
    // the bot's policy (tool items and __fake_id__ dropped).
    const s = session(store, { maxItems: 3, filter: {} });
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
    const s = session(store as any, {
      failureMode: "degrade",
      onStoreError: (f: any) => failures.push(f),
    });
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
    const s = session(store as any, { timeoutMs: 100, failureMode: "degrade" });
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
      failureMode: "degrade",
      onStoreError: () => {
        throw new Error("callback bug");
      },
    });
    expect(await s.getItems()).toEqual([]);
  });

  test("bad options are rejected at construction", () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    expect(() => new StoreSession({ store, key: "" })).toThrow(/sessionId|store key/);
    expect(() => new StoreSession({ store, key: "k", maxItems: 0 })).toThrow(/maxItems/);
    expect(() => new StoreSession({ store, key: "k", ttlSeconds: -1 })).toThrow(/ttlSeconds/);
    expect(() => new StoreSession({ store, key: "k", timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new StoreSession({ store: {} as any, key: "k" })).toThrow(/SessionStore/);
    expect(() => new StoreSession({ store, sessionId: "k", failureMode: "ignore" as any })).toThrow(
      /failureMode/,
    );
    expect(() => new StoreSession({ store, sessionId: "a", key: "b" })).toThrow(/not both/);
  });

  test("by default (the SDK's norm) every failed call rejects with the StoreError, after reporting it", async () => {
    const store = new FaultyStore();
    store.mode = "throw";
    const failures: string[] = [];
    const s = session(store as any, { onStoreError: (f: any) => failures.push(f.operation) });
    await expect(s.getItems()).rejects.toSatisfy((e) => StoreError.isInstance(e));
    await expect(s.addItems([user("x")])).rejects.toThrow(/append user:1 failed/);
    await expect(s.replaceHistoryWithCompaction([user("c")])).rejects.toSatisfy((e) =>
      StoreError.isInstance(e),
    );
    expect(failures).toEqual(["read", "append", "replace"]);
  });
});

describe("StoreSession, a drop-in MemorySession", () => {
  test("takes the SDK's options: sessionId (+ keyPrefix), initialItems, and MemorySession's defaults", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const tool = {
      type: "function_call",
      callId: "c",
      name: "f",
      arguments: "{}",
    } as AgentInputItem;
    const s = new StoreSession({
      store,
      sessionId: "abc",
      keyPrefix: "chat:",
      initialItems: [user("seed")],
      logger: silentLogger,
    });
    expect(await s.getSessionId()).toBe("abc");
    expect(s.key).toBe("chat:abc");
    await s.addItems([user("q"), tool, user("a")]);
    // Every item kept (tool items too), no trim, no expiry.
    expect((await s.getItems()).length).toBe(4);
    expect(store.inspect("chat:abc").ttlSeconds).toBe(-1);
    // A second process on the same sessionId sees the history, initial items written once.
    const again = new StoreSession({
      store,
      sessionId: "abc",
      keyPrefix: "chat:",
      initialItems: [user("seed")],
      logger: silentLogger,
    });
    expect(texts(await again.getItems())).toEqual(["seed", "q", undefined, "a"]);
    // Without a sessionId, a random one, as MemorySession.
    const random = new StoreSession({ store, logger: silentLogger });
    expect(await random.getSessionId()).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("takes the SDK's Logger: failures are logged through it", async () => {
    const store = new FaultyStore();
    store.mode = "throw";
    const lines: unknown[][] = [];
    const sdkLogger = {
      namespace: "test",
      dontLogModelData: true,
      dontLogToolData: true,
      debug: () => {},
      warn: (...args: unknown[]) => lines.push(["warn", ...args]),
      error: (...args: unknown[]) => lines.push(["error", ...args]),
    };
    const s = new StoreSession({ store: store as any, sessionId: "k", logger: sdkLogger });
    await expect(s.getItems()).rejects.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBe("error");
    expect(String(lines[0]![1])).toMatch(/^\[agents-memory\] store call failed/);
    expect(lines[0]![2]).toMatchObject({ operation: "read", key: "k" });
  });

  test("a failed store call is logged once, named after the store method, saying whether the session rejects or goes on", async () => {
    const store = new FaultyStore();
    const lines: Array<{ fields: any; message: string }> = [];
    const logger = {
      warn: () => {},
      error: (fields: any, message: string) => lines.push({ fields, message }),
    };
    const failed: string[] = [];
    const options = { logger, onStoreError: (f: any) => failed.push(f.operation) };
    const rejecting = new StoreSession({ store, sessionId: "k", ...options });
    const degrading = new StoreSession({
      store,
      sessionId: "k",
      failureMode: "degrade",
      ...options,
    });
    store.mode = "throw";
    const mutation = {
      mutations: [
        {
          type: "replace_function_call" as const,
          callId: "c",
          replacement: { type: "function_call" as const, callId: "c", name: "f", arguments: "{}" },
        },
      ],
    };
    await expect(rejecting.applyHistoryMutations!(mutation)).rejects.toSatisfy(
      (e: any) => StoreError.isInstance(e) && e.operation === "replaceFunctionCall",
    );
    await expect(
      rejecting.applyHistoryTransaction!({
        operationId: "op",
        transaction: { type: "append_items", items: [user("x")] },
      }),
    ).rejects.toSatisfy((e) => StoreError.isInstance(e));
    await expect(degrading.addItems([user("x")])).resolves.toBeUndefined();
    expect(failed).toEqual(["replaceFunctionCall", "transact", "append"]);
    expect(lines.map((l) => [l.fields.operation, l.message])).toEqual([
      ["replaceFunctionCall", "store call failed; the session call rejects"],
      ["transact", "store call failed; the session call rejects"],
      ["append", "store call failed; the run goes on without it"],
    ]);
  });

  test("replaceHistoryWithCompaction replaces the whole history in one store call", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const s = new StoreSession({ store, sessionId: "k", logger: silentLogger, ttlSeconds: 60 });
    await s.addItems([user("1"), user("2"), user("3")]);
    await s.replaceHistoryWithCompaction([user("summary"), user("3")]);
    expect(texts(await s.getItems())).toEqual(["summary", "3"]);
    expect(store.inspect("k").ttlSeconds).toBe(60);
  });
});

describe("StoreSession ids that would meet another session's keys", () => {
  // The usage counters of session "alice" live under "alice:usage", its operation record under
  // "{alice}:ops": a session with such an id would overwrite them (a red-team finding: alice's
  // usage reset to zero, her later writes failing with WRONGTYPE, a retried transaction applied
  // twice after the other session was cleared). Refused at construction, naming the suffix.
  test.each(["alice:usage", "{alice}:ops", "{alice}:ops:older"])("%j is refused", (sessionId) => {
    const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
    expect(() => new StoreSession({ store, sessionId })).toThrow(
      /must not end with ":(usage|ops|ops:older)": that suffix is reserved/,
    );
  });

  test("an id with half an emoji is refused; the whole emoji is fine", () => {
    const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
    expect(() => new StoreSession({ store, sessionId: "chat-\ud83d" })).toThrow(/lone surrogate/);
    expect(new StoreSession({ store, sessionId: "chat-\ud83d\ude00" }).key).toBe("chat-😀");
  });
});

describe("StoreSession: a history lost behind its back", () => {
  const recording = () => {
    const warnings: string[] = [];
    return { warnings, logger: { warn: (_: object, m: string) => warnings.push(m), error() {} } };
  };

  test("is said once when a read finds nothing the session stored; a pop, a clear or an empty replace of its own is no loss", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
    const { warnings, logger } = recording();
    const session = new StoreSession({ store, sessionId: "lost", logger });
    await session.addItems([userItem("I am Ann")]);
    await store.clear(session.key); // another process, an eviction
    expect(await session.getItems()).toEqual([]);
    expect(await session.getItems()).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/the history this session stored is gone/)]);

    for (const empty of [
      (s: StoreSession) => s.popItem(),
      (s: StoreSession) => s.clearSession(),
      (s: StoreSession) => s.replaceHistoryWithCompaction([]),
    ]) {
      const own = new StoreSession({ store, sessionId: `own-${warnings.length}`, logger });
      await own.addItems([userItem("x")]);
      await empty(own);
      expect(await own.getItems()).toEqual([]);
    }
    expect(warnings).toHaveLength(1);
  });

  test("a failed read in degrade mode is reported as a failure, not as a lost history", async () => {
    const store = new FaultyStore();
    const { warnings, logger } = recording();
    const session = new StoreSession({ store, sessionId: "s", logger, failureMode: "degrade" });
    await session.addItems([userItem("x")]);
    store.mode = "throw";
    expect(await session.getItems()).toEqual([]);
    expect(warnings.filter((m) => /is gone/.test(m))).toEqual([]);
  });
});
