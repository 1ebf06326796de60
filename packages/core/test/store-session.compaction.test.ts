import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AgentInputItem, OpenAIResponsesCompactionSession } from "@openai/agents";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MemoryStore, StoreSession, silentLogger } from "../src";

// A local stand-in for POST /v1/responses/compact that answers with a compaction item and a
// summary message, and records what it was sent.
let server: Server;
const compactRequests: any[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      compactRequests.push({ url: req.url, body: JSON.parse(body || "{}") });
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          id: "cmp_resp_1",
          object: "response.compaction",
          created_at: 0,
          output: [
            {
              id: "msg_s",
              type: "message",
              role: "user",
              content: [{ type: "input_text", text: "summary" }],
            },
            { id: "cmp_1", type: "compaction", encrypted_content: "opaque" },
          ],
          usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.env.OPENAI_API_KEY = "test-key";
  process.env.OPENAI_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test("StoreSession works wrapped by OpenAIResponsesCompactionSession", async () => {
  const store = new MemoryStore({ sweepIntervalMs: 0 });
  const underlying = new StoreSession({ store, key: "thread:1", logger: silentLogger });
  const session = new OpenAIResponsesCompactionSession({
    underlyingSession: underlying,
    model: "gpt-5.2",
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
  expect((await session.getItems(2)).map((i: any) => i.content[0]?.text ?? i.content)).toEqual([
    "q2",
    "a2",
  ]);
  const popped = await session.popItem();
  expect((popped as any).content[0].text).toBe("a2");

  await session.runCompaction({ force: true });
  expect(compactRequests).toHaveLength(1);
  expect(compactRequests[0].url).toBe("/v1/responses/compact");
  expect(compactRequests[0].body.input).toHaveLength(5);
  // The store now holds exactly the compacted history: the session cleared and re-added it.
  const stored = await store.read("thread:1");
  expect(stored.map((i: any) => i.type)).toEqual(["message", "compaction"]);
  expect(await underlying.getItems()).toEqual(stored);
});
