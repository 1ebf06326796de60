import { type SessionStore, StoreSession, silentLogger } from "@agents-memory/core";
import {
  Agent,
  type AgentInputItem,
  OpenAIResponsesCompactionSession,
  RunState,
  tool,
} from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { prefix, startEndToEnd } from "./__fixtures__/setup";

/*
 * StoreSession as a user coming from the SDK's MemorySession uses it, with the real Runner and
 * the local Responses API server, on every store: a run interrupted for approval and resumed by
 * "another process", and compaction surviving a write failure.
 */

// OpenAIResponsesCompactionSession builds its own client from the environment.
const { model: responses, runner, stores, close } = await startEndToEnd({ env: true });
afterAll(close);

/** A store that fails the first append after a clear, once armed (a transient 503, say). */
function failingAfterClear(store: SessionStore): SessionStore & { arm(): void } {
  let armed = false;
  let cleared = false;
  return {
    arm() {
      armed = true;
    },
    read: (key, limit) => store.read(key, limit),
    replace: (key, items, ttl, options) => store.replace(key, items, ttl, options),
    fork: (parent, children, items, options) => store.fork(parent, children, items, options),
    pop: (key, options) => store.pop(key, options),
    async clear(key, options) {
      await store.clear(key, options);
      cleared = armed;
    },
    async append(key, items, options) {
      if (cleared) {
        armed = cleared = false;
        throw new Error("injected: the store answered 503");
      }
      return store.append(key, items, options);
    },
  };
}

const deleteFile = tool({
  name: "delete_file",
  description: "Deletes a file.",
  parameters: {
    type: "object",
    properties: { path: { type: "string" } },
    required: ["path"],
    additionalProperties: false,
  },
  strict: true,
  needsApproval: true,
  execute: async (input: unknown) => `deleted ${(input as { path: string }).path}`,
});
const agent = new Agent({ name: "ops", instructions: "be brief", tools: [deleteFile] });

const shape = (items: AgentInputItem[]) =>
  items.map((item: any) =>
    item.type === "function_call" || item.type === "function_call_result"
      ? `${item.type}:${item.callId}`
      : `${item.role}:${typeof item.content === "string" ? item.content : item.content?.[0]?.text}`,
  );

describe.each(stores)("$name", ({ store }) => {
  test("a run interrupted for approval, its RunState serialized, resumes in a new StoreSession: history complete, nothing twice", async () => {
    const sessionId = prefix("hitl");
    responses.script(
      { toolCall: { name: "delete_file", arguments: { path: "a.txt" }, callId: "call_del" } },
      { text: "a.txt is gone" },
    );
    const first = await runner.run(agent, "delete a.txt", {
      session: new StoreSession({ store, sessionId, logger: silentLogger }),
    });
    expect(first.interruptions).toHaveLength(1);
    const saved = first.state.toString();

    // Another process: a new session on the same id, the state read back from storage.
    const session = new StoreSession({ store, sessionId, logger: silentLogger });
    const state = await RunState.fromString(agent, saved);
    state.approve(state.getInterruptions()[0]!);
    const resumed = await runner.run(agent, state, { session });
    expect(resumed.finalOutput).toBe("a.txt is gone");

    expect(shape(await session.getItems())).toEqual([
      "user:delete a.txt",
      "function_call:call_del",
      "function_call_result:call_del",
      "assistant:a.txt is gone",
    ]);
  });

  test("compaction over StoreSession: a write failure after the clear never loses the history", async () => {
    const sessionId = prefix("compact");
    const flaky = failingAfterClear(store);
    const underlying = new StoreSession({ store: flaky, sessionId, logger: silentLogger });
    const session = new OpenAIResponsesCompactionSession({
      underlyingSession: underlying,
      model: "gpt-test",
      compactionMode: "input",
    });
    const turns: AgentInputItem[] = [];
    for (let i = 0; i < 3; i++) {
      turns.push({ role: "user", content: `q${i}` } as AgentInputItem);
      turns.push({
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: `a${i}` }],
      } as AgentInputItem);
    }
    await session.addItems(turns);
    const before = await underlying.getItems();
    expect(before).toHaveLength(6);

    flaky.arm();
    await expect(session.runCompaction({ force: true })).rejects.toThrow(/append/);
    // The runner put the old history back: the failed write rejected instead of passing silently.
    expect(await underlying.getItems()).toEqual(before);

    await session.runCompaction({ force: true });
    const compacted = await underlying.getItems();
    expect(compacted.map((item: any) => item.type ?? "message")).toEqual([
      "message",
      "message",
      "message",
      "compaction",
    ]);
  });

  test("applyHistoryTransaction: applied once across a retry from another process; a reused id or a stale suffix rejects with the SDK's error and changes nothing", async () => {
    const sessionId = prefix("tx");
    const make = () => new StoreSession({ store, sessionId, logger: silentLogger });
    const first = make();
    expect(typeof first.applyHistoryTransaction).toBe("function");
    const append = {
      operationId: "turn-1",
      transaction: { type: "append_items" as const, items: [user("q1"), answer("a1")] },
    };
    await first.applyHistoryTransaction!(append);
    await make().applyHistoryTransaction!(append); // the retry, in a new process
    expect(shape(await first.getItems())).toEqual(["user:q1", "assistant:a1"]);

    await expect(
      make().applyHistoryTransaction!({
        operationId: "turn-1",
        transaction: { type: "append_items", items: [user("other")] },
      }),
    ).rejects.toThrow(
      "Session history operation was already applied with a different transaction.",
    );
    await expect(
      make().applyHistoryTransaction!({
        operationId: "turn-2",
        transaction: { type: "replace_suffix", expectedSuffix: [answer("nope")], replacement: [] },
      }),
    ).rejects.toThrow("Session history suffix no longer matches the transaction precondition.");
    await make().applyHistoryTransaction!({
      operationId: "turn-2",
      transaction: {
        type: "replace_suffix",
        expectedSuffix: [answer("a1")],
        replacement: [answer("a1, edited")],
      },
    });
    expect(shape(await first.getItems())).toEqual(["user:q1", "assistant:a1, edited"]);

    await first.applyHistoryMutations!({
      mutations: [
        {
          type: "replace_function_call",
          callId: "missing",
          replacement: {
            type: "function_call",
            callId: "missing",
            name: "f",
            arguments: "{}",
          },
        },
      ],
    });
    expect(shape(await first.getItems())).toEqual(["user:q1", "assistant:a1, edited"]);
  });
});

const user = (text: string) => ({ role: "user", content: text }) as AgentInputItem;
const answer = (text: string) =>
  ({
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text }],
  }) as AgentInputItem;
