import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { rejectedInputIndex, rejectsInputItem } from "../src/rejects-input-item";

// The errors are the openai client's own, from the local Responses API server's 400s.
let server: ResponsesServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startResponsesServer();
  client = new OpenAI({ apiKey: server.apiKey, baseURL: server.baseURL, maxRetries: 0 });
});
afterAll(() => server.close());

async function errorOf(input: unknown, model = "gpt-test"): Promise<unknown> {
  try {
    await client.responses.create({ model, input } as any);
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const user = { role: "user", content: "go on" };

describe("rejectsInputItem: a 400 because of an input item", () => {
  test("an item id the API rejects (param input[N].id)", async () => {
    const error = await errorOf([
      { type: "message", role: "assistant", id: "bogus", status: "completed", content: [] },
      user,
    ]);
    expect((error as { param?: string }).param).toBe("input[0].id");
    expect(rejectsInputItem(error)).toBe(true);
    // Which item: a retry without history only helps when it is a history item.
    expect(rejectedInputIndex(error)).toBe(0);
    const later = await errorOf([
      user,
      user,
      { type: "message", role: "assistant", id: "x", status: "completed", content: [] },
    ]);
    expect(rejectedInputIndex(later)).toBe(2);
  });

  test("a tool output without its call, a call without its output", async () => {
    expect(
      rejectsInputItem(
        await errorOf([{ type: "function_call_output", call_id: "c", output: "" }, user]),
      ),
    ).toBe(true);
    expect(
      rejectsInputItem(
        await errorOf([user, { type: "function_call", call_id: "c", name: "t", arguments: "{}" }]),
      ),
    ).toBe(true);
  });

  test("a reasoning item without the item that followed it", async () => {
    server.script({
      output: [
        { id: "rs_x", type: "reasoning", summary: [] },
        {
          id: "msg_x",
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "hi", annotations: [] }],
        },
      ],
    });
    await client.responses.create({ model: "gpt-test", input: "think" });
    const error = await errorOf([{ id: "rs_x", type: "reasoning", summary: [] }, user]);
    expect(rejectsInputItem(error)).toBe(true);
  });
});

describe("rejectsInputItem: anything else", () => {
  test("other 400s, other statuses, other errors", async () => {
    server.script(
      {
        error: {
          status: 400,
          body: {
            error: {
              message: "bad thing",
              type: "invalid_request_error",
              param: "input",
              code: null,
            },
          },
        },
      },
      { error: { status: 500 } },
      { error: { status: 401 } },
    );
    expect(rejectsInputItem(await errorOf("hi"))).toBe(false);
    expect(rejectsInputItem(await errorOf("hi"))).toBe(false);
    expect(rejectsInputItem(await errorOf("hi"))).toBe(false);
    expect(rejectsInputItem(await errorOf("hi", ""))).toBe(false); // missing model
    expect(rejectsInputItem(new Error("Invalid 'input[1].id'"))).toBe(false);
    expect(rejectsInputItem(undefined)).toBe(false);
  });
});
