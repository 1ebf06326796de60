import { Agent, type AgentInputItem, Runner, setTracingDisabled, tool } from "@openai/agents";
import { beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { MemoryStore, ReplySession, replyKey, type SessionStore, silentLogger } from "../src";
import { FaultyStore } from "./__fixtures__/faulty-store";
import { inputTexts, ScriptedModel } from "./__fixtures__/scripted-model";

beforeAll(() => setTracingDisabled(true));

const CHAT = -1001234567890;
const TTL = 3600;

function setup(options: { maxItems?: number; store?: any } = {}) {
  let now = 1_700_000_000_000;
  const store =
    options.store ?? new MemoryStore({ now: () => now, sweepIntervalMs: 0, logger: silentLogger });
  const model = new ScriptedModel();
  const getTime = tool({
    name: "get_time",
    description: "current time",
    parameters: z.object({}),
    execute: async () => "12:00",
  });
  const agent = new Agent({ name: "bot", instructions: "be brief", model, tools: [getTime] });
  const runner = new Runner({ tracingDisabled: true });
  /** One bot turn: the user's message (replying to `replyTo` or nothing), answered as `answerId`. */
  const turn = async (text: string, replyTo: number | null, answerIds: number[]) => {
    const session = new ReplySession({
      store,
      chatId: CHAT,
      replyToMessageId: replyTo,
      ttlSeconds: TTL,
      maxItems: options.maxItems ?? 50,
      logger: silentLogger,
    });
    const result = await runner.run(agent, text, { session });
    const persisted = await session.persist(answerIds);
    return { result, persisted, session };
  };
  return { store, model, turn, advance: (ms: number) => (now += ms) };
}

describe("ReplySession inside Runner.run", () => {
  test("a first message persists [user, assistant] under the reply's key with the TTL", async () => {
    const { store, model, turn } = setup();
    model.script({ text: "hello Ann" });
    const { result, persisted } = await turn("Ann: hi", null, [101]);
    expect(result.finalOutput).toBe("hello Ann");
    expect(persisted).toEqual({
      ok: true,
      outcome: "stored",
      keys: ["bot:101:-1001234567890"],
      itemCount: 2,
    });
    const stored = await store.read(replyKey(101, CHAT));
    expect(inputTexts({ input: stored } as any)).toEqual(["user:Ann: hi", "assistant:hello Ann"]);
    expect(store.inspect(replyKey(101, CHAT)).ttlSeconds).toBe(TTL);
    expect(store.keys()).toEqual(["bot:101:-1001234567890"]);
  });

  test("a reply gives the model history + the new message, and stores the longer history", async () => {
    const { store, model, turn } = setup();
    model.script({ text: "A1" }, { text: "A2" });
    await turn("U1", null, [10]);
    await turn("U2", 10, [12]);
    expect(inputTexts(model.requests[1]!)).toEqual(["user:U1", "assistant:A1", "user:U2"]);
    expect(inputTexts({ input: await store.read(replyKey(12, CHAT)) } as any)).toEqual([
      "user:U1",
      "assistant:A1",
      "user:U2",
      "assistant:A2",
    ]);
  });

  test("a tool-using turn stores no tool items and the model never sees one from memory", async () => {
    const { store, model, turn } = setup();
    model.script(
      { toolCall: { name: "get_time", arguments: "{}", callId: "call_1" } },
      { text: "it is 12:00" },
      { text: "you asked the time" },
    );
    const first = await turn("what time is it?", null, [20]);
    expect(first.result.finalOutput).toBe("it is 12:00");
    // Within the run the model did see its own tool call and result:
    expect(model.requests[1]!.input).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "function_call_result" })]),
    );
    const stored = await store.read(replyKey(20, CHAT));
    expect(stored.map((i: any) => i.type ?? "message")).toEqual(["message", "message"]);
    await turn("what did I ask?", 20, [22]);
    const replayed = model.requests[2]!.input as AgentInputItem[];
    expect(
      replayed.some((i: any) => i.type === "function_call" || i.type === "function_call_result"),
    ).toBe(false);
  });

  test("legacy Python-era items (tool types, __fake_id__) in the store are never replayed", async () => {
    const { store, model, turn } = setup();
    store.plant(
      replyKey(30, CHAT),
      [
        { role: "user", content: "old question" },
        { type: "function_call", call_id: "c", name: "lookup", arguments: "{}", id: "fc_1" },
        { type: "function_call_output", call_id: "c", output: "42" },
        { type: "web_search_call", id: "ws_1", status: "completed" },
        {
          id: "__fake_id__",
          role: "assistant",
          type: "message",
          status: "completed",
          content: [{ type: "output_text", text: "fake" }],
        },
        {
          role: "assistant",
          type: "message",
          status: "completed",
          content: [{ type: "output_text", text: "old answer" }],
        },
      ].map((item) => JSON.stringify(item)),
    );
    model.script({ text: "new answer" });
    await turn("follow-up", 30, [31]);
    expect(inputTexts(model.requests[0]!)).toEqual([
      "user:old question",
      "assistant:old answer",
      "user:follow-up",
    ]);
    const stored = await store.read(replyKey(31, CHAT));
    expect(inputTexts({ input: stored } as any)).toEqual([
      "user:old question",
      "assistant:old answer",
      "user:follow-up",
      "assistant:new answer",
    ]);
  });

  test("__fake_id__ items produced during a run are not stored", async () => {
    const { store, model, turn } = setup();
    model.script({ text: "answer", id: "__fake_id__" });
    await turn("q", null, [40]);
    expect(inputTexts({ input: await store.read(replyKey(40, CHAT)) } as any)).toEqual(["user:q"]);
  });

  test("history is trimmed to maxItems, newest kept", async () => {
    const { store, model, turn } = setup({ maxItems: 3 });
    model.script({ text: "A1" }, { text: "A2" }, { text: "A3" });
    await turn("U1", null, [1]);
    await turn("U2", 1, [2]);
    await turn("U3", 2, [3]);
    // The stored history holds at most maxItems; the model sees it plus the new message.
    expect(inputTexts(model.requests[2]!)).toEqual([
      "assistant:A1",
      "user:U2",
      "assistant:A2",
      "user:U3",
    ]);
    expect(inputTexts({ input: await store.read(replyKey(3, CHAT)) } as any)).toEqual([
      "assistant:A2",
      "user:U3",
      "assistant:A3",
    ]);
  });

  test("a reply to an older bot message forks without touching the newer branch", async () => {
    const { store, model, turn } = setup();
    model.script({ text: "A1" }, { text: "A2" }, { text: "B2" });
    await turn("U1", null, [1]);
    await turn("U2", 1, [2]);
    const newerBranch = await store.read(replyKey(2, CHAT));
    await turn("V2", 1, [3]);
    expect(inputTexts(model.requests[2]!)).toEqual(["user:U1", "assistant:A1", "user:V2"]);
    expect(await store.read(replyKey(2, CHAT))).toEqual(newerBranch);
    expect(inputTexts({ input: await store.read(replyKey(3, CHAT)) } as any)).toEqual([
      "user:U1",
      "assistant:A1",
      "user:V2",
      "assistant:B2",
    ]);
  });

  test("an answer split into several messages continues from any of them", async () => {
    const { store, model, turn } = setup();
    model.script({ text: "long answer" }, { text: "next" });
    const { persisted } = await turn("U1", null, [5, 6, 7]);
    expect(persisted.keys).toEqual([replyKey(5, CHAT), replyKey(6, CHAT), replyKey(7, CHAT)]);
    expect(await store.read(replyKey(6, CHAT))).toEqual(await store.read(replyKey(5, CHAT)));
    await turn("U2", 6, [8]);
    expect(inputTexts(model.requests[1]!)).toEqual(["user:U1", "assistant:long answer", "user:U2"]);
  });

  test("the history expires with its TTL", async () => {
    const { model, turn, advance } = setup();
    model.script({ text: "A1" }, { text: "A2" });
    await turn("U1", null, [1]);
    advance((TTL + 1) * 1000);
    await turn("U2", 1, [2]);
    expect(inputTexts(model.requests[1]!)).toEqual(["user:U2"]);
  });

  test.each(["throw", "hang"] as const)(
    "a store that %ss costs at most timeoutMs (read) and persistTimeoutMs (write) and the run still answers",
    async (mode) => {
      const store = new FaultyStore();
      const model = new ScriptedModel().script({ text: "A1" }, { text: "still here" });
      const agent = new Agent({ name: "bot", model });
      const runner = new Runner({ tracingDisabled: true });
      const first = new ReplySession({ store, chatId: CHAT, logger: silentLogger });
      await runner.run(agent, "U1", { session: first });
      await first.persist(1);
      store.mode = mode;
      const failures: string[] = [];
      const session = new ReplySession({
        store,
        chatId: CHAT,
        replyToMessageId: 1,
        timeoutMs: 150,
        persistTimeoutMs: 150,
        logger: silentLogger,
        onStoreError: (f) => failures.push(`${f.operation} ${f.key}`),
      });
      const started = performance.now();
      const result = await runner.run(agent, "U2", { session });
      const persisted = await session.persist(2);
      const elapsed = performance.now() - started;
      expect(result.finalOutput).toBe("still here");
      expect(inputTexts(model.requests[1]!)).toEqual(["user:U2"]);
      expect(persisted.ok).toBe(false);
      expect(failures).toEqual([`read ${replyKey(1, CHAT)}`, `fork ${replyKey(2, CHAT)}`]);
      expect(elapsed).toBeLessThan(150 * 2 + 1000);
    },
  );
});

describe("ReplySession as a Session", () => {
  const user = (text: string) => ({ role: "user", content: text }) as AgentInputItem;

  test("load() reads the history once and counts it after the filter; the run then gets all of it", async () => {
    const { store, model } = setup();
    const toolCall = {
      type: "function_call",
      callId: "c1",
      name: "get_time",
      arguments: "{}",
    } as AgentInputItem;
    await store.replace(replyKey(1, CHAT), [user("h1"), toolCall, user("h2")], 60);
    let reads = 0;
    const counted = new Proxy(store, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (name === "read" || name === "readStored") reads++;
          return value.apply(target, args);
        };
      },
    });
    const s = new ReplySession({
      store: counted,
      chatId: CHAT,
      replyToMessageId: 1,
      logger: silentLogger,
    });
    expect(await s.load()).toBe(2);
    expect(await s.load()).toBe(2);
    model.script({ text: "A" });
    const agent = new Agent({ name: "bot", model });
    await new Runner({ tracingDisabled: true }).run(agent, "U", { session: s });
    expect(inputTexts(model.requests[0]!)).toEqual(["user:h1", "user:h2", "user:U"]);
    expect((await s.persist(2)).itemCount).toBe(4);
    expect(reads).toBe(1);
  });

  test("collects every addItems call of a run and persists them once", async () => {
    const { store } = setup();
    const s = new ReplySession({ store, chatId: 1, logger: silentLogger });
    await s.addItems([user("a")]);
    await s.addItems([user("b"), user("c")]);
    await s.addItems([]);
    expect((await s.getItems()).length).toBe(3);
    expect(store.keys()).toEqual([]); // nothing written before persist
    await s.persist(9);
    expect((await store.read(replyKey(9, 1))).map((i: any) => i.content)).toEqual(["a", "b", "c"]);
  });

  test("popItem removes the newest staged item, then history; clearSession drops both", async () => {
    const { store } = setup();
    await store.replace(replyKey(1, 1), [user("h1"), user("h2")], 60);
    const s = new ReplySession({ store, chatId: 1, replyToMessageId: 1, logger: silentLogger });
    await s.addItems([user("n1")]);
    expect(((await s.popItem()) as any).content).toBe("n1");
    expect(((await s.popItem()) as any).content).toBe("h2");
    await s.addItems([user("n2")]);
    await s.persist(2);
    expect((await store.read(replyKey(2, 1))).map((i: any) => i.content)).toEqual(["h1", "n2"]);
    // The parent is untouched: popping shaped this reply's history, not the stored branch.
    expect((await store.read(replyKey(1, 1))).length).toBe(2);

    const t = new ReplySession({ store, chatId: 1, replyToMessageId: 1, logger: silentLogger });
    await t.clearSession();
    expect(await t.getItems()).toEqual([]);
    await t.addItems([user("fresh")]);
    await t.persist(3);
    expect((await store.read(replyKey(3, 1))).map((i: any) => i.content)).toEqual(["fresh"]);
  });

  test("getItems(limit) gives the newest of history + staged; items are copies", async () => {
    const { store } = setup();
    await store.replace(replyKey(1, 1), [user("h1"), user("h2")], 60);
    const s = new ReplySession({ store, chatId: 1, replyToMessageId: 1, logger: silentLogger });
    await s.addItems([user("n1")]);
    expect((await s.getItems(2)).map((i: any) => i.content)).toEqual(["h2", "n1"]);
    const [first] = await s.getItems();
    (first as any).content = "mutated";
    expect((await s.getItems()).map((i: any) => i.content)).toEqual(["h1", "h2", "n1"]);
    (await s.loadHistory()).push(user("pushed"));
    expect((await s.popItem()) as any).toMatchObject({ content: "n1" });
    expect((await s.popItem()) as any).toMatchObject({ content: "h2" });
    await s.addItems([user("n2")]);
    expect((await s.persist(2)).itemCount).toBe(2);
    expect((await store.read(replyKey(2, 1))).map((i: any) => i.content)).toEqual(["h1", "n2"]);
    expect((await store.read(replyKey(1, 1))).map((i: any) => i.content)).toEqual(["h1", "h2"]);
  });

  /** The memory store behind only the five primitives: a store written before readStored. */
  const withoutReadStored = (store: MemoryStore, fork: SessionStore["fork"]): SessionStore => ({
    read: (key: string, limit?: number) => store.read(key, limit),
    replace: store.replace.bind(store),
    append: store.append.bind(store),
    pop: store.pop.bind(store),
    clear: store.clear.bind(store),
    fork,
  });

  /** Replies to [h1, h2] through `custom`, mutating an item handed out; the reply must hold the history as read. */
  async function replyThrough(custom: SessionStore, store: MemoryStore) {
    await store.replace(replyKey(1, 1), [user("h1"), user("h2")], 60);
    const s = new ReplySession({
      store: custom,
      chatId: 1,
      replyToMessageId: 1,
      logger: silentLogger,
    });
    const [first] = await s.getItems();
    (first as any).content = "mutated";
    await s.addItems([user("n1")]);
    expect((await s.persist(2)).ok).toBe(true);
    expect((await store.read(replyKey(2, 1))).map((i: any) => i.content)).toEqual([
      "h1",
      "h2",
      "n1",
    ]);
  }

  test("a store without readStored works the same (its items are serialized once, here)", async () => {
    const { store } = setup();
    await replyThrough(withoutReadStored(store, store.fork.bind(store)), store);
  });

  test("a store that only knows parentItems gets the history, even through a copy of the options", async () => {
    const { store } = setup();
    const seen: unknown[] = [];
    // Written before parentElements existed: copies the options and drops what it ignores.
    const older = withoutReadStored(store, (parent, children, items, options) => {
      const { parentElements: _ignored, ...known } = { ...options };
      seen.push(known.parentItems);
      return store.fork(parent, children, items, known);
    });
    await replyThrough(older, store);
    expect((seen[0] as any[]).map((i) => i.content)).toEqual(["h1", "h2"]);
  });

  test("bad ids fail loudly at construction or persist, never as a wrong key", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    expect(() => new ReplySession({ store, chatId: "5" as unknown as number })).toThrow(/chatId/);
    expect(() => new ReplySession({ store, chatId: 5, replyToMessageId: 1.5 })).toThrow(
      /messageId/,
    );
    const s = new ReplySession({ store, chatId: 5, logger: silentLogger });
    await expect(s.persist([])).rejects.toThrow(/at least one/);
    await expect(s.persist(["7" as unknown as number])).rejects.toThrow(/messageId/);
    expect(store.keys()).toEqual([]);
  });
});
