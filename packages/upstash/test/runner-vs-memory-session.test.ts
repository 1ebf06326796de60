import { type SessionStore, StoreSession, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { startLatencyProxy } from "@agents-memory/test-servers/latency-proxy";
import { startResponsesRunner } from "@agents-memory/test-servers/testing";
import { Agent, type AgentInputItem, MemorySession, type Session, tool } from "@openai/agents";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { everyStore, prefix, startBackend } from "./__fixtures__/setup";

/*
 * StoreSession must behave as the SDK's MemorySession under the real Runner. Each
 * scenario runs once on a MemorySession (the oracle) and once on a StoreSession over each store;
 * the turns must end the same way (answer or error) and the stored history must be the same.
 */

const backend = await startBackend();
const { server: responses, runner } = await startResponsesRunner();

// 70 ms each way, as between regions.
const redisFar = await startLatencyProxy({ targetPort: backend.redis.port, delayMs: 70 });
const upstashFar = await startLatencyProxy({
  targetPort: Number(new URL(backend.upstash.url).port),
  delayMs: 70,
});
const stores: Array<{ name: string; store: SessionStore }> = [
  ...everyStore(backend),
  {
    name: "IoRedisStore, copy layout",
    store: new IoRedisStore({ url: backend.redis.url, logger: silentLogger, layout: "copy" }),
  },
  {
    name: "IoRedisStore at 70 ms",
    store: new IoRedisStore({ url: `redis://127.0.0.1:${redisFar.port}`, logger: silentLogger }),
  },
  {
    name: "UpstashStore at 70 ms",
    store: new UpstashStore({
      url: `http://127.0.0.1:${upstashFar.port}`,
      token: backend.upstash.token,
      logger: silentLogger,
    }),
  },
];
afterAll(async () => {
  for (const { store } of stores) await store.close?.();
  await redisFar.close();
  await upstashFar.close();
  await responses.close();
  await backend.stop();
});

const lookup = tool({
  name: "lookup",
  description: "Looks a word up.",
  parameters: {
    type: "object",
    properties: { word: { type: "string" } },
    required: ["word"],
    additionalProperties: false,
  },
  strict: true,
  execute: async (input: unknown) => `meaning of ${(input as { word: string }).word}`,
});
const agent = new Agent({ name: "dict", instructions: "be brief", tools: [lookup] });

const call = (callId: string, word: string) => ({
  type: "function_call",
  id: `fc_${callId}`,
  call_id: callId,
  name: "lookup",
  arguments: JSON.stringify({ word }),
  status: "completed",
});

const shape = (items: AgentInputItem[]) =>
  items.map((item: any) =>
    item.type === "function_call" || item.type === "function_call_result"
      ? `${item.type}:${item.callId}`
      : `${item.role ?? item.type}:${typeof item.content === "string" ? item.content : item.content?.[0]?.text}`,
  );

interface Turn {
  input: string;
  steps: any[];
}

/** Runs the turns on `session`; each turn's outcome is its answer or "error". */
async function play(session: Session, turns: Turn[]) {
  const outcomes: string[] = [];
  for (const turn of turns) {
    responses.script(...turn.steps);
    try {
      const result = await runner.run(agent, turn.input, { session });
      outcomes.push(String(result.finalOutput));
    } catch (error) {
      outcomes.push(`error: ${(error as Error).message.slice(0, 80)}`);
    }
    // A step the run never consumed must not leak into the next turn.
    while (responses.pending() > 0) {
      await runner.run(new Agent({ name: "drain", instructions: "x" }), "drain").catch(() => {});
    }
  }
  return { outcomes, items: shape(await session.getItems()) };
}

const SCENARIOS: Record<string, Turn[]> = {
  "parallel tool calls, then an answer, then a follow-up": [
    {
      input: "define a and b",
      steps: [{ output: [call("call_a", "a"), call("call_b", "b")] }, { text: "a and b defined" }],
    },
    { input: "thanks", steps: [{ text: "welcome" }] },
  ],
  "a run that fails after its tool ran (the model's 400), then the user goes on": [
    {
      input: "define c",
      steps: [
        { toolCall: { name: "lookup", arguments: { word: "c" }, callId: "call_c" } },
        { error: { status: 400 } },
      ],
    },
    { input: "try again", steps: [{ text: "c defined" }] },
  ],
  "two tool rounds in one run, the second parallel": [
    {
      input: "define d, then e and f",
      steps: [
        { toolCall: { name: "lookup", arguments: { word: "d" }, callId: "call_d" } },
        { output: [call("call_e", "e"), call("call_f", "f")] },
        { text: "all defined" },
      ],
    },
    { input: "and now?", steps: [{ text: "done" }] },
  ],
};

describe.each(Object.entries(SCENARIOS))("%s", (_name, turns) => {
  let oracle: { outcomes: string[]; items: string[] };
  beforeAll(async () => {
    oracle = await play(new MemorySession(), turns);
  });

  test.each(stores)(
    "StoreSession on $name ends every turn as MemorySession does, and stores the same history",
    async ({ store }) => {
      const session = new StoreSession({ store, sessionId: prefix("diff"), logger: silentLogger });
      const got = await play(session, turns);
      expect(got.outcomes).toEqual(oracle.outcomes);
      expect(got.items).toEqual(oracle.items);
    },
  );
});

/** Each tool output's call is before it; each call's output after it (a cut window may end on a call). */
function orphans(items: string[]): string[] {
  const found: string[] = [];
  items.forEach((item, index) => {
    const [type, id] = item.split(":");
    if (type === "function_call_result" && !items.slice(0, index).includes(`function_call:${id}`))
      found.push(item);
  });
  return found;
}

describe.each([2, 3, 4, 5, 6])("maxItems %d cuts the tool rounds", (maxItems) => {
  test.each(stores)(
    "on $name: every turn answers (no orphan output sent), none stored",
    async ({ store }) => {
      const session = new StoreSession({
        store,
        sessionId: prefix("cut"),
        maxItems,
        logger: silentLogger,
      });
      const turns = SCENARIOS["two tool rounds in one run, the second parallel"]!;
      const got = await play(session, [...turns, { input: "once more", steps: [{ text: "ok" }] }]);
      expect(got.outcomes).toEqual(["all defined", "done", "ok"]);
      expect(orphans(got.items)).toEqual([]);
      expect(got.items.length).toBeLessThanOrEqual(maxItems);
      expect(got.items.at(-1)).toBe("assistant:ok");
    },
  );
});
