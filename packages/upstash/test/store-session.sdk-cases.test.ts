import { MemoryStore, type SessionStore, StoreSession, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import {
  Agent,
  type AgentInputItem,
  isSessionHistoryRewriteAwareSession,
  isSessionHistoryTransactionAwareSession,
  OutputGuardrailTripwireTriggered,
  type SessionHistoryRewriteArgs,
  type SessionHistoryTransactionArgs,
  tool,
  UserError,
} from "@openai/agents";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { type Backend, prefix, startEndToEnd } from "./__fixtures__/setup";

/*
 * What the SDK's own tests of MemorySession check, and where StoreSession once differed
 * (issue 28), on every store: a subclass's overrides, initialItems before a first mutation,
 * accessor errors that never leak, and items that are not plain JSON.
 */

/** One store of each kind, with budgets a loaded machine cannot exhaust (see `quiet`). */
const patientStores = (backend: Backend) => [
  { name: "MemoryStore", store: new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger }) },
  {
    name: "IoRedisStore",
    store: new IoRedisStore({
      url: backend.redis.url,
      commandTimeoutMs: 10_000,
      logger: silentLogger,
    }),
  },
  {
    name: "UpstashStore",
    store: new UpstashStore({
      url: backend.upstash.url,
      token: backend.upstash.token,
      timeoutMs: 10_000,
      logger: silentLogger,
    }),
  },
];
const { model: responses, runner, stores, close } = await startEndToEnd({ stores: patientStores });
// Connected before the first test, so a slow first connection on a loaded machine does not eat
// the sessions' 1 s budget.
beforeAll(async () => {
  for (const { store } of stores) await store.connect?.();
});
afterAll(close);

const user = (text: string) =>
  ({ role: "user", content: [{ type: "input_text", text }] }) as AgentInputItem;
const call = (callId: string, args: string, id: string) =>
  ({
    type: "function_call",
    id,
    callId,
    name: "lookup",
    status: "completed",
    arguments: args,
  }) as AgentInputItem;
const append = (operationId: string, items: AgentInputItem[]): SessionHistoryTransactionArgs => ({
  operationId,
  transaction: { type: "append_items", items },
});

/**
 * Every session here: no log output, and a budget that a loaded machine cannot exhaust (these
 * tests are about what the session does, not about time).
 */
const quiet = { logger: silentLogger, timeoutMs: 10_000 };

/** The store with only the required primitives: no `transact`, no `replaceFunctionCall`. */
function basicStore(store: SessionStore): SessionStore {
  return {
    read: (key, limit) => store.read(key, limit),
    replace: (key, items, ttl, options) => store.replace(key, items, ttl, options),
    fork: (parent, children, items, options) => store.fork(parent, children, items, options),
    pop: (key, options) => store.pop(key, options),
    clear: (key, options) => store.clear(key, options),
    append: (key, items, options) => store.append(key, items, options),
  };
}

/** A user's wrapper: records each call, then does what StoreSession does. */
class AuditedSession extends StoreSession {
  readonly calls: string[] = [];
  override async applyHistoryTransaction(args: SessionHistoryTransactionArgs): Promise<void> {
    this.calls.push(`transaction ${args.operationId}`);
    await super.applyHistoryTransaction!(args);
  }
  override async applyHistoryMutations(args: SessionHistoryRewriteArgs): Promise<void> {
    this.calls.push(`mutations ${args.mutations.length}`);
    await super.applyHistoryMutations!(args);
  }
}

/** Commits through StoreSession, then fails once (the answer to the commit was lost, say). */
class LostAnswerSession extends StoreSession {
  readonly operationIds: string[] = [];
  failures = 1;
  override async applyHistoryTransaction(args: SessionHistoryTransactionArgs): Promise<void> {
    this.operationIds.push(args.operationId);
    await super.applyHistoryTransaction!(args);
    if (this.failures-- > 0) throw new Error("injected: the commit's answer was lost");
  }
}

/** A fault injected the way the SDK's tests do it: the override throws. */
class FailingSession extends StoreSession {
  override async applyHistoryTransaction(): Promise<void> {
    throw new Error("injected transaction failure");
  }
  override async applyHistoryMutations(): Promise<void> {
    throw new Error("injected mutation failure");
  }
}

describe.each(stores)("$name", ({ store }) => {
  const open = (
    sessionId: string,
    extra: Partial<ConstructorParameters<typeof StoreSession>[0]> = {},
  ) => new StoreSession({ store, sessionId, ...quiet, ...extra });

  test("a subclass's applyHistoryTransaction and applyHistoryMutations are the ones called; super reaches the store", async () => {
    const sessionId = prefix("subclass");
    const audited = new AuditedSession({ store, sessionId, ...quiet });
    expect(isSessionHistoryTransactionAwareSession(audited)).toBe(true);
    expect(isSessionHistoryRewriteAwareSession(audited)).toBe(true);
    await audited.applyHistoryTransaction(append("op-1", [user("q"), call("c1", "{}", "fc1")]));
    await audited.applyHistoryMutations({
      mutations: [
        {
          type: "replace_function_call",
          callId: "c1",
          replacement: call("c1", '{"ok":1}', "fc2") as any,
        },
      ],
    });
    expect(audited.calls).toEqual(["transaction op-1", "mutations 1"]);
    expect(await open(sessionId).getItems()).toEqual([user("q"), call("c1", '{"ok":1}', "fc2")]);

    const failing = new FailingSession({ store, sessionId, ...quiet });
    await expect(failing.applyHistoryTransaction()).rejects.toThrow("injected transaction failure");
    await expect(failing.applyHistoryMutations()).rejects.toThrow("injected mutation failure");
    expect(await open(sessionId).getItems()).toEqual([user("q"), call("c1", '{"ok":1}', "fc2")]);
  });

  test("the runner persists a blocked output through the subclass's applyHistoryTransaction; resumed after a lost answer, it is written once", async () => {
    const sessionId = prefix("guardrail");
    // A terminal tool's response blocked by an output guardrail: with a transaction-aware
    // session the runner keeps the turn's input and writes it in one transaction, never the
    // blocked answer or the tool's output.
    const agent = new Agent({
      name: "guarded",
      instructions: "be brief",
      tools: [
        tool({
          name: "lookup",
          description: "Looks something up.",
          parameters: { type: "object", properties: {}, required: [], additionalProperties: false },
          strict: true,
          execute: async () => "tool output the guardrail blocks",
        }),
      ],
      toolUseBehavior: "stop_on_first_tool",
      outputGuardrails: [
        {
          name: "blocks every answer",
          execute: async () => ({ outputInfo: { blocked: true }, tripwireTriggered: true }),
        },
      ],
    });
    responses.script({
      output: [
        {
          type: "message",
          id: "msg_blocked",
          role: "assistant",
          status: "completed",
          content: [
            { type: "output_text", text: "an answer the guardrail blocks", annotations: [] },
          ],
        },
        {
          type: "function_call",
          id: "fc_blocked",
          call_id: "call_blocked",
          name: "lookup",
          arguments: "{}",
          status: "completed",
        },
      ],
    });
    const session = new LostAnswerSession({ store, sessionId, ...quiet });
    const tripped = await runner.run(agent, "keep this question", { session }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(tripped).toBeInstanceOf(OutputGuardrailTripwireTriggered);
    expect(session.operationIds).toHaveLength(1);

    // The run resumed from its state with a new session (as after a restart; the SDK 0.20 does
    // not parse back a tripped guardrail's serialized state): the runner retries the same
    // operation, which the store finds applied, so the question is stored once, the answer never.
    const state = (tripped as OutputGuardrailTripwireTriggered<any, any>).state!;
    const again = new LostAnswerSession({ store, sessionId, ...quiet });
    again.failures = 0;
    await expect(runner.run(agent, state, { session: again })).rejects.toBeInstanceOf(
      OutputGuardrailTripwireTriggered,
    );
    expect(again.operationIds).toEqual(session.operationIds);
    expect(await open(sessionId).getItems()).toEqual([
      { type: "message", role: "user", content: "keep this question" },
    ]);
  });

  test("on a store without transact and replaceFunctionCall the runner's probes find neither capability, unless a subclass brings its own", async () => {
    const bare = basicStore(store);
    const sessionId = prefix("bare");
    const plain = new StoreSession({ store: bare, sessionId, ...quiet });
    expect(isSessionHistoryTransactionAwareSession(plain)).toBe(false);
    expect(isSessionHistoryRewriteAwareSession(plain)).toBe(false);
    expect(plain.applyHistoryTransaction).toBeUndefined();
    expect(plain.applyHistoryMutations).toBeUndefined();
    await plain.addItems([user("still a session")]);
    expect(await plain.getItems()).toEqual([user("still a session")]);
    // The same class on a store that has them: the capabilities are there.
    expect(isSessionHistoryTransactionAwareSession(open(sessionId))).toBe(true);

    // An override is the subclass's decision; calling through to a store without the primitive
    // says so instead of pretending.
    const audited = new AuditedSession({ store: bare, sessionId, ...quiet });
    expect(isSessionHistoryTransactionAwareSession(audited)).toBe(true);
    await expect(audited.applyHistoryTransaction(append("op", [user("x")]))).rejects.toThrow(
      "store has no transact",
    );
    expect(await plain.getItems()).toEqual([user("still a session")]);
  });

  test("applyHistoryMutations as the first call works on the initial items (written first, once)", async () => {
    const sessionId = prefix("seed-mutate");
    const initialItems = [
      user("start"),
      call("c1", '{"ok":false}', "old-1"),
      call("c1", '{"dup":true}', "old-2"),
    ];
    const replacement = call("c1", '{"ok":true}', "new");
    await open(sessionId, { initialItems }).applyHistoryMutations!({
      mutations: [{ type: "replace_function_call", callId: "c1", replacement: replacement as any }],
    });
    // Another process, same id and initial items: the history is the mutated one, seeded once.
    expect(await open(sessionId, { initialItems }).getItems()).toEqual([
      user("start"),
      replacement,
    ]);
  });

  test("an accessor of the transaction arguments that throws gives the SDK's message, never its own", async () => {
    const sessionId = prefix("redact");
    const failures: unknown[] = [];
    const session = open(sessionId, { onStoreError: (failure) => failures.push(failure) });
    const throwing = {} as SessionHistoryTransactionArgs;
    Object.defineProperty(throwing, "operationId", {
      get: () => {
        throw new Error("api-key-secret");
      },
    });
    const error = await session.applyHistoryTransaction!(throwing).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe("Session history transaction arguments are invalid.");
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(
      "api-key-secret",
    );
    expect((error as Error).cause).toBeUndefined();
    expect(failures).toEqual([]);

    // The envelope is read once per call (a getter cannot answer differently to a second read).
    let reads = 0;
    const counted = {
      transaction: { type: "append_items", items: [user("once")] },
    } as SessionHistoryTransactionArgs;
    Object.defineProperty(counted, "operationId", {
      enumerable: true,
      get: () => (++reads === 1 ? "op-once" : "changed"),
    });
    await session.applyHistoryTransaction!(counted);
    expect(reads).toBe(1);
    expect(await open(sessionId).getItems()).toEqual([user("once")]);
  });

  test("items that are not plain JSON reject before anything is written; the operation id stays free", async () => {
    const sessionId = prefix("not-json");
    const session = open(sessionId, { initialItems: [user("start")] });
    const withData = (data: unknown) => ({ ...user("odd"), providerData: data }) as AgentInputItem;
    const nonEnumerable = user("hidden");
    Object.defineProperty(nonEnumerable, "providerData", {
      enumerable: false,
      value: { hidden: true },
    });
    const getter = user("getter");
    Object.defineProperty(getter, "providerData", {
      enumerable: true,
      get: () => ({ read: true }),
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const cases: Array<[string, AgentInputItem[]]> = [
      ["a Date", [withData({ at: new Date(0) })]],
      ["a Symbol", [withData({ secret: Symbol("api-key-secret") })]],
      ["a BigInt", [withData({ n: 42n })]],
      ["a Uint16Array", [withData({ values: new Uint16Array([300]) })]],
      ["a Uint8Array", [withData({ bytes: new Uint8Array([3, 7]) })]],
      ["NaN", [withData({ n: Number.NaN })]],
      ["a Map", [withData(new Map([["a", 1]]))]],
      ["a non-enumerable property", [nonEnumerable]],
      ["a getter", [getter]],
      ["a cycle", [withData(cycle)]],
      ["a sparse array", new Array<AgentInputItem>(1)],
      ["a Proxy", new Proxy([user("proxied")], {})],
    ];
    for (const [what, items] of cases) {
      const error = await session.applyHistoryTransaction!(append("op-rejected", items)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, what).toBeInstanceOf(UserError);
      expect((error as Error).message, what).toBe(
        "Session history transaction items contain invalid or unsupported data.",
      );
      await expect(session.addItems(items), what).rejects.toThrow(
        /^Session items contain invalid or unsupported data/,
      );
      await expect(session.replaceHistoryWithCompaction(items), what).rejects.toThrow(
        /^Session items contain invalid or unsupported data/,
      );
    }
    expect(await session.getItems()).toEqual([user("start")]);

    // Bad input is the caller's, not the store's: it rejects in degrade mode too.
    const degrading = open(sessionId, { failureMode: "degrade" });
    await expect(degrading.addItems([withData({ at: new Date(0) })])).rejects.toThrow(UserError);
    expect(
      () => new StoreSession({ store, sessionId, ...quiet, initialItems: [withData(new Date(0))] }),
    ).toThrow(/initialItems: Session items contain invalid or unsupported data/);

    // None of the rejections was recorded under the id; plain JSON (a null-prototype object, an
    // undefined property left out, as JSON does) goes in and reads back equal.
    const plainData = Object.assign(Object.create(null), {
      source: "provider",
      skipped: undefined,
    });
    await session.applyHistoryTransaction!(append("op-rejected", [withData(plainData)]));
    expect(await open(sessionId).getItems()).toEqual([
      user("start"),
      withData({ source: "provider" }),
    ]);
  });
});
