import { ReplySession, replyKey, StoreSession, silentLogger } from "@agents-memory/core";
import { Agent, OpenAIResponsesCompactionSession } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { startEndToEnd } from "./__fixtures__/end-to-end";

/*
 * The second way to keep a long conversation: the SDK's OpenAIResponsesCompactionSession
 * wrapping our sessions. The runner asks it to compact after each turn; past 10 candidate
 * items it calls POST /v1/responses/compact (the local Responses server answers as the API
 * does: the user messages, then one opaque `compaction` item) and replaces the underlying
 * session's history with that: `clearSession()` then `addItems()`.
 */

// The compaction session builds its OpenAI client from the environment (this file's process).
const { model, runner, stores, close: stop } = await startEndToEnd({ env: true });
afterAll(stop);

const agent = new Agent({ name: "bot", instructions: "Answer briefly." });

const types = (items: readonly unknown[]) => items.map((item: any) => item.type ?? item.role);
const compacting = (underlyingSession: StoreSession | ReplySession) =>
  new OpenAIResponsesCompactionSession({ underlyingSession, model: "gpt-test" });

describe.each(stores)("$name", ({ make }) => {
  test("StoreSession wrapped by OpenAIResponsesCompactionSession: compacted after 10 answers, the store holds the compacted history, and the next turn sends it", async () => {
    const { store, close } = make();
    const underlying = new StoreSession({
      store,
      sessionId: `compact-${Math.random()}`,
      logger: silentLogger,
    });
    const session = compacting(underlying);
    const compactionsBefore = model.compactions.length;
    try {
      for (let turn = 1; turn <= 10; turn++) {
        await runner.run(agent, `question ${turn}`, { session });
      }
      const stored = await store.read(underlying.key);
      expect(model.compactions.length).toBe(compactionsBefore + 1);
      // The API's compacted output: the 10 user messages, then one compaction item.
      expect(types(stored)).toEqual([...Array(10).fill("message"), "compaction"]);
      // The SDK sends from the newest compaction item on (it carries what came before).
      const before = model.requests.length;
      await runner.run(agent, "question 11", { session });
      expect(model.requests[before].input).toEqual([
        stored[10],
        { role: "user", content: "question 11" },
      ]);
    } finally {
      await close();
    }
  });

  test("ReplySession wrapped by OpenAIResponsesCompactionSession: the compacted history is what persist writes under the reply, and a reply to it sends it", async () => {
    const { store, close } = make();
    const chat = -Math.floor(Math.random() * 1e9);
    const compactionsBefore = model.compactions.length;
    let replyTo: number | null = null;
    try {
      for (let turn = 1; turn <= 11; turn++) {
        const underlying: ReplySession = new ReplySession({
          store,
          chatId: chat,
          replyToMessageId: replyTo,
          logger: silentLogger,
        });
        const before = model.requests.length;
        await runner.run(agent, `question ${turn}`, { session: compacting(underlying) });
        expect((await underlying.persist(turn)).ok).toBe(true);
        replyTo = turn;
        if (turn === 11) {
          // Turn 10 was compacted: turn 11's model input is its compaction item and the question.
          const compacted = (await store.read(replyKey(10, chat)))[10];
          expect(model.requests[before].input).toEqual([
            compacted,
            { role: "user", content: "question 11" },
          ]);
        }
      }
      expect(model.compactions.length).toBe(compactionsBefore + 1);
      expect(types(await store.read(replyKey(10, chat)))).toEqual([
        ...Array(10).fill("message"),
        "compaction",
      ]);
      // An older answer keeps its own, uncompacted history.
      expect(types(await store.read(replyKey(9, chat)))).toHaveLength(18);
    } finally {
      await close();
    }
  });
});
