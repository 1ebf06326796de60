import type { AgentInputItem } from "@openai/agents";
import { describe, expect, test } from "vitest";
import { MemoryStore, ReplySession, StoreSession, silentLogger } from "../src";
import { memoryRawAccess, rawHistory } from "../src/testing";

/*
 * Every window a session cuts is pair-safe (see `windowStartBy`): reading a stored list longer
 * than maxItems, and getItems(limit), never start with an item whose partner was cut.
 */

const user = (text: string) => ({ role: "user", content: text }) as AgentInputItem;
const reasoning = (id: string) => ({ type: "reasoning", id, content: [] }) as AgentInputItem;
const answer = (id: string) =>
  ({
    role: "assistant",
    id,
    status: "completed",
    content: [{ type: "output_text", text: id }],
  }) as AgentInputItem;
const call = (callId: string) =>
  ({
    type: "function_call",
    id: `fc_${callId}`,
    callId,
    name: "t",
    arguments: "{}",
  }) as AgentInputItem;
const result = (callId: string) =>
  ({
    type: "function_call_result",
    callId,
    name: "t",
    status: "completed",
    output: "ok",
  }) as AgentInputItem;
const label = (item: any) =>
  item.type === "function_call_result" ? `out:${item.callId}` : (item.id ?? item.content);

/** q, rs, fc, out, rs, msg: a reasoning model's turn with one tool call. */
const turn = (n: number) => [
  user(`q${n}`),
  reasoning(`rs_${n}a`),
  call(`c${n}`),
  result(`c${n}`),
  reasoning(`rs_${n}b`),
  answer(`msg_${n}`),
];

function storeWith(key: string, items: AgentInputItem[]): MemoryStore {
  const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
  store.plant(
    key,
    items.map((item) => JSON.stringify(item)),
  );
  return store;
}

describe("ReplySession reading a list longer than maxItems", () => {
  // Stored by a deployment with a larger maxItems (or before AGENT_MAX_CACHE_SIZE was lowered).
  const stored = [...turn(1), ...turn(2)];

  test.each([
    // maxItems: what the window keeps
    [11, [...turn(1).slice(1), ...turn(2)].map(label)],
    // Starting at fc_c1 would lose rs_1a: it goes, and its output after it.
    [10, ["rs_1b", "msg_1", ...turn(2).map(label)]],
    [9, ["rs_1b", "msg_1", ...turn(2).map(label)]],
    [8, ["rs_1b", "msg_1", ...turn(2).map(label)]],
    // msg_1 without rs_1b would be rejected: the window starts at q2.
    [7, turn(2).map(label)],
    [6, turn(2).map(label)],
    [4, ["rs_2b", "msg_2"]],
  ])("maxItems %i", async (maxItems, expected) => {
    const store = storeWith("bot:10:1", stored);
    const session = new ReplySession({
      store,
      chatId: 1,
      replyToMessageId: 10,
      maxItems,
      filter: { dropTypes: [] },
      logger: silentLogger,
    });
    expect((await session.getItems()).map(label)).toEqual(expected);
    // And the reply's history is that window plus the new turn, cut the same way.
    await session.addItems(turn(3));
    await session.persist(11);
    // The history as stored (the reply key links to bot:10:1 and holds its new items).
    const written = (
      await rawHistory(
        memoryRawAccess(() => store),
        "bot:11:1",
      )
    ).map((e) => label(JSON.parse(e)));
    expect(written).toEqual((await session.pendingHistory()).map(label));
    expect(written.at(-1)).toBe("msg_3");
  });

  test("getItems(limit) over history and this turn's items is pair-safe", async () => {
    const store = storeWith("bot:10:1", turn(1));
    const session = new ReplySession({
      store,
      chatId: 1,
      replyToMessageId: 10,
      filter: { dropTypes: [] },
      logger: silentLogger,
    });
    await session.addItems(turn(2));
    expect((await session.getItems(9)).map(label)).toEqual([
      "rs_1b",
      "msg_1",
      ...turn(2).map(label),
    ]);
    expect((await session.getItems(4)).map(label)).toEqual(["rs_2b", "msg_2"]);
    expect((await session.getItems(12)).map(label)).toEqual([...turn(1), ...turn(2)].map(label));
  });
});

describe("StoreSession.getItems(limit)", () => {
  test("the newest limit items, pair-safe, fewer when a pair would be split", async () => {
    const store = storeWith("user:1", [...turn(1), ...turn(2)]);
    // `key` today, `sessionId` in the SDK's naming: either way the same stable key.
    const session = new StoreSession({
      store,
      key: "user:1",
      sessionId: "user:1",
      filter: { dropTypes: [] },
      logger: silentLogger,
    } as ConstructorParameters<typeof StoreSession>[0]);
    expect((await session.getItems(9)).map(label)).toEqual([
      "rs_1b",
      "msg_1",
      ...turn(2).map(label),
    ]);
    expect((await session.getItems(4)).map(label)).toEqual(["rs_2b", "msg_2"]);
    expect((await session.getItems(5)).map(label)).toEqual(turn(2).slice(1).map(label));
    expect((await session.getItems(6)).map(label)).toEqual(turn(2).map(label));
    // msg_2 alone would go without rs_2b: the window is empty rather than rejected.
    expect(await session.getItems(1)).toEqual([]);
    expect(await session.getItems(2)).toEqual([reasoning("rs_2b"), answer("msg_2")]);
  });
});
