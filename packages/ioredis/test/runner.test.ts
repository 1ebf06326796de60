import { ReplySession, replyKey, silentLogger } from "@agents-memory/core";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { timed, until } from "@agents-memory/test-servers/testing";
import { Agent, Runner, setTracingDisabled } from "@openai/agents";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { flavors } from "./__fixtures__/clients";
import { EchoModel, inputTexts } from "./__fixtures__/echo-model";

beforeAll(() => setTracingDisabled(true));

const server = await startRedisServer();
afterAll(() => server.stop());

const CHAT = -1001234567890;

describe.each(flavors)("$name: ReplySession inside Runner.run", (flavor) => {
  test("a reply continues the conversation from Redis; with Redis killed the user still gets an answer, fast", async () => {
    const { store, dispose } = flavor.make(server.url);
    const model = new EchoModel();
    const agent = new Agent({ name: "bot", instructions: "be brief", model });
    const runner = new Runner({ tracingDisabled: true });
    const base = Math.floor(Math.random() * 1_000_000) * 10;
    const turn = async (text: string, replyTo: number | null, answerId: number) => {
      const session = new ReplySession({
        store,
        chatId: CHAT,
        replyToMessageId: replyTo,
        logger: silentLogger,
      });
      const result = await runner.run(agent, text, { session });
      return { result, persisted: await session.persist([answerId]) };
    };
    try {
      const first = await turn("I am Ann", null, base + 1);
      expect(first.persisted.ok).toBe(true);
      const second = await turn("who am I?", base + 1, base + 2);
      expect(inputTexts(model.requests.at(-1)!)).toEqual([
        "I am Ann",
        "seen: I am Ann",
        "who am I?",
      ]);
      expect(second.persisted).toMatchObject({ ok: true, itemCount: 4 });
      expect(await store.read(replyKey(base + 2, CHAT))).toHaveLength(4);

      await server.kill();
      const down = await timed(() => turn("still there?", base + 2, base + 3));
      expect(down.value?.result.finalOutput).toBe("seen: still there?");
      expect(down.value?.persisted.ok).toBe(false);
      expect(down.ms).toBeLessThan(2500);
    } finally {
      await server.restart();
      await until(() => store.read("probe"));
      await dispose();
    }
  });
});
