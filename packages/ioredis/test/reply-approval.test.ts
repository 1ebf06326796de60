import { ReplySession, replyKey, silentLogger } from "@agents-memory/core";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { startResponsesRunner } from "@agents-memory/test-servers/testing";
import { Agent, type AgentInputItem, RunState, tool } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * ReplySession (the bot's per-reply session) through a tool approval. A bot whose
 * tool needs approval asks in the chat, and the run resumes from its serialized RunState when
 * the user approves: in the same session object, or (after a restart) in a new ReplySession
 * that continues from the approval question's message.
 */

const redis = await startRedisServer();
const { server: responses, runner } = await startResponsesRunner();
afterAll(async () => {
  await responses.close();
  await redis.stop();
});

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

describe.each(["chain", "copy"] as const)("%s layout", (layout) => {
  const store = new IoRedisStore({ url: redis.url, logger: silentLogger, layout });
  afterAll(() => store.close());

  test("resumed in the same ReplySession: the answer's key holds the turn once", async () => {
    const chat = -Math.floor(Math.random() * 1e9);
    responses.script(
      { toolCall: { name: "delete_file", arguments: { path: "a.txt" }, callId: "call_del" } },
      { text: "a.txt is gone" },
    );
    const session = new ReplySession({
      store,
      chatId: chat,
      replyToMessageId: null,
      logger: silentLogger,
    });
    const first = await runner.run(agent, "delete a.txt", { session });
    expect(first.interruptions).toHaveLength(1);
    first.state.approve(first.interruptions[0]!);
    const resumed = await runner.run(agent, first.state, { session });
    expect(resumed.finalOutput).toBe("a.txt is gone");
    expect((await session.persist([20])).ok).toBe(true);
    expect(shape(await store.read(replyKey(20, chat)))).toEqual([
      "user:delete a.txt",
      "assistant:a.txt is gone",
    ]);
  });

  test("asked in the chat, resumed after a restart from the question's message: the answer's key holds the turn once", async () => {
    const chat = -Math.floor(Math.random() * 1e9);
    responses.script(
      { toolCall: { name: "delete_file", arguments: { path: "b.txt" }, callId: "call_b" } },
      { text: "b.txt is gone" },
    );
    const asking = new ReplySession({
      store,
      chatId: chat,
      replyToMessageId: null,
      logger: silentLogger,
    });
    const first = await runner.run(agent, "delete b.txt", { session: asking });
    expect(first.interruptions).toHaveLength(1);
    // The bot sends "Delete b.txt? [yes]" as message 30 and keeps the turn under it.
    expect((await asking.persist([30])).ok).toBe(true);
    const saved = first.state.toString();

    const session = new ReplySession({
      store,
      chatId: chat,
      replyToMessageId: 30,
      logger: silentLogger,
    });
    const state = await RunState.fromString(agent, saved);
    state.approve(state.getInterruptions()[0]!);
    const resumed = await runner.run(agent, state, { session });
    expect(resumed.finalOutput).toBe("b.txt is gone");
    expect((await session.persist([31])).ok).toBe(true);
    expect(shape(await store.read(replyKey(31, chat)))).toEqual([
      "user:delete b.txt",
      "assistant:b.txt is gone",
    ]);
  });
});
