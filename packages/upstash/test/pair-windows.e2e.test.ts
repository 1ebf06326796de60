import { ReplySession, StoreSession, silentLogger } from "@agents-memory/core";
import { Agent, type AgentInputItem, tool } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { prefix, startEndToEnd } from "./__fixtures__/setup";

/*
 * A stored history longer than the window a session reads (maxItems lowered since, or another
 * deployment's larger size), made of a reasoning model's turns with tool calls kept
 * (`filter: { dropTypes: [] }`): whatever the window, the request the local Responses server
 * receives is one the real API accepts. The server rejects a reasoning item it produced apart
 * from its follower, and a tool output without its call, with the API's 400s.
 */

const { model: responses, runner, stores, close } = await startEndToEnd();
afterAll(close);

// A reasoning model's turn: reasoning + a tool call, then (after the tool's output) reasoning +
// the answer. Six items per turn in history: user, rs, fc, output, rs, msg.
let ids = 0;
responses.respondWith((body) => {
  const n = ++ids;
  const last = body.input.at(-1);
  const reasoning = { id: `rs_${n}`, type: "reasoning", summary: [] };
  if (last?.type === "function_call_output") {
    return {
      output: [
        reasoning,
        {
          id: `msg_${n}`,
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: `it is 12:00 (${n})`, annotations: [] }],
        },
      ],
    };
  }
  return {
    output: [
      reasoning,
      {
        id: `fc_${n}`,
        type: "function_call",
        call_id: `call_${n}`,
        name: "get_time",
        arguments: "{}",
        status: "completed",
      },
    ],
  };
});

const getTime = tool({
  name: "get_time",
  description: "The current time.",
  parameters: { type: "object", properties: {}, required: [], additionalProperties: false },
  strict: true,
  execute: async () => "12:00",
});
const agent = new Agent({ name: "bot", instructions: "be brief", tools: [getTime] });

const CHAT = -100777;
const TURNS = 3;
const keep = { dropTypes: [] as string[] };

describe.each(stores)("$name: a window of a longer stored history is accepted", ({ store }) => {
  test("ReplySession reading the history with every smaller maxItems", async () => {
    const base = Math.floor(Math.random() * 1_000_000) * 100;
    let replyTo: number | null = null;
    for (let turn = 0; turn < TURNS; turn++) {
      const session = new ReplySession({
        store,
        chatId: CHAT,
        replyToMessageId: replyTo,
        maxItems: 50,
        filter: keep,
        logger: silentLogger,
      });
      await runner.run(agent, `what time is it? (${turn})`, { session });
      expect((await session.persist(base + turn)).ok).toBe(true);
      replyTo = base + turn;
    }
    const stored = await store.read(`bot:${replyTo}:${CHAT}`);
    expect(stored).toHaveLength(TURNS * 6);
    expect(stored.filter((item: any) => item.type === "reasoning")).toHaveLength(TURNS * 2);

    // The same history sent cut naively is rejected by the server: the check can fail.
    // (The newest 9 start with an output whose call is cut; the newest 7 with an answer whose
    // reasoning item is cut.)
    const orphanOutput = await rejection(runner.run(agent, [...stored.slice(-9), user("now?")]));
    expect(String(orphanOutput)).toMatch(/400 No tool call found for function call output/);
    const orphanAnswer = await rejection(runner.run(agent, [...stored.slice(-7), user("now?")]));
    expect(String(orphanAnswer)).toMatch(/400 .* without its required 'reasoning' item/);

    const shorter: number[] = [];
    for (let maxItems = 1; maxItems < stored.length; maxItems++) {
      const session = new ReplySession({
        store,
        chatId: CHAT,
        replyToMessageId: replyTo,
        maxItems,
        filter: keep,
        logger: silentLogger,
      });
      const sent = responses.requests.length;
      const result = await runner.run(agent, `and now? (${maxItems})`, { session });
      expect(result.finalOutput, `maxItems ${maxItems}`).toMatch(/^it is 12:00/);
      const history = responses.requests[sent].input.slice(0, -1);
      expect(history.length).toBeLessThanOrEqual(maxItems);
      if (history.length < maxItems) shorter.push(maxItems);
      // The window is the newest part of the stored history.
      expect(wireIds(history)).toEqual(
        wireIds(toWire(stored.slice(stored.length - history.length))),
      );
      // The reply's history (the parent copied server-side where the store can) is the same
      // window plus the new turn, cut pair-safe again.
      const answerId = base + 50 + maxItems;
      expect((await session.persist(answerId)).ok).toBe(true);
      expect(await store.read(`bot:${answerId}:${CHAT}`)).toEqual(await session.pendingHistory());
    }
    // Three of each turn's six cut points fall inside a pair (before the call, its output, the
    // answer): those windows are shorter, and were accepted.
    expect(shorter).toHaveLength(TURNS * 3);
  });

  test("StoreSession with a lowered maxItems over a longer stable-key history", async () => {
    const key = prefix("pairs");
    const session = (maxItems: number) =>
      // `key` today, `sessionId` in the SDK's naming.
      new StoreSession({
        store,
        key,
        sessionId: key,
        maxItems,
        filter: keep,
        logger: silentLogger,
      } as ConstructorParameters<typeof StoreSession>[0]);
    for (let turn = 0; turn < TURNS; turn++) {
      await runner.run(agent, `what time is it? (${turn})`, { session: session(100) });
    }
    expect(await store.read(key)).toHaveLength(TURNS * 6);
    for (const maxItems of [5, 7, 8, 9, 10]) {
      const sent = responses.requests.length;
      const result = await runner.run(agent, `and now? (${maxItems})`, {
        session: session(maxItems),
      });
      expect(result.finalOutput, `maxItems ${maxItems}`).toMatch(/^it is 12:00/);
      expect(responses.requests[sent].input.length - 1).toBeLessThanOrEqual(maxItems);
    }
  });
});

const user = (text: string) => ({ role: "user", content: text }) as AgentInputItem;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** What identifies each item on the wire: its call_id for a tool call or output, else its id. */
const wireIds = (items: any[]) => items.map((item) => item.call_id ?? item.id ?? item.role);

/** Stored SDK items named as the SDK sends them (a tool call or output by its call id). */
const toWire = (items: AgentInputItem[]) =>
  items.map((item: any) => (typeof item.callId === "string" ? { call_id: item.callId } : item));
