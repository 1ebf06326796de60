import {
  Agent,
  type AgentInputItem,
  OpenAIResponsesCompactionSession,
  OpenAIResponsesModel,
  Runner,
  setTracingDisabled,
  tool,
} from "@openai/agents";
import OpenAI, {
  type APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
} from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { type ResponsesServer, startResponsesServer } from "../src/openai";

let server: ResponsesServer;

beforeAll(() => {
  setTracingDisabled(true);
});

beforeEach(async () => {
  server = await startResponsesServer();
});

afterEach(async () => {
  await server.close();
});

afterAll(() => {
  setTracingDisabled(false);
});

const client = (options: { apiKey?: string; maxRetries?: number } = {}) =>
  new OpenAI({
    apiKey: options.apiKey ?? server.apiKey,
    baseURL: server.baseURL,
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
  });

const weatherCalls: Array<{ city: string }> = [];
const weather = tool({
  name: "weather",
  description: "The weather in a city.",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    weatherCalls.push({ city });
    return `sunny in ${city}`;
  },
});

const agent = (openai = client()) =>
  new Agent({
    name: "assistant",
    instructions: "Answer briefly.",
    model: new OpenAIResponsesModel(openai, "gpt-test"),
    tools: [weather],
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("the Agents SDK Runner against the local Responses API server", () => {
  test("a scripted text answer is the final output; the request is what the SDK sent", async () => {
    server.script({ text: "Hello there." });
    const result = await new Runner().run(agent(), "hi");
    expect(result.finalOutput).toBe("Hello there.");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      model: "gpt-test",
      instructions: "Answer briefly.",
      input: [{ role: "user", content: "hi" }],
      stream: false,
      tools: [{ type: "function", name: "weather", strict: true }],
    });
    const last = result.history[result.history.length - 1] as any;
    expect(last).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(last.id).toMatch(/^msg_/);
    expect(result.rawResponses[0]?.usage.totalTokens).toBeGreaterThan(0);
  });

  test("a tool call, then text: the second request carries the call and its output", async () => {
    weatherCalls.length = 0;
    server.script(
      { toolCall: { name: "weather", arguments: { city: "Paris" }, callId: "call_paris" } },
      { text: "It is sunny in Paris." },
    );
    const result = await new Runner().run(agent(), "Weather in Paris?");
    expect(result.finalOutput).toBe("It is sunny in Paris.");
    expect(weatherCalls).toEqual([{ city: "Paris" }]);
    const requests = await server.waitForRequests(2);
    expect(requests).toHaveLength(2);
    expect(requests[1].input).toEqual([
      { role: "user", content: "Weather in Paris?" },
      expect.objectContaining({
        type: "function_call",
        call_id: "call_paris",
        name: "weather",
        arguments: '{"city":"Paris"}',
      }),
      expect.objectContaining({
        type: "function_call_output",
        call_id: "call_paris",
        output: "sunny in Paris",
      }),
    ]);
    expect(result.history.map((item) => item.type)).toEqual([
      "message",
      "function_call",
      "function_call_result",
      "message",
    ]);
  });

  test("with nothing scripted it echoes the last user message, history included", async () => {
    const first = await new Runner().run(agent(), "hi");
    expect(first.finalOutput).toBe("echo: hi");
    const history: AgentInputItem[] = [
      ...first.history,
      { role: "user", content: [{ type: "input_text", text: "second question" }] },
    ];
    const second = await new Runner().run(agent(), history);
    expect(second.finalOutput).toBe("echo: second question");
    // The assistant message from the first turn went back with its msg_ id.
    expect(server.requests[1].input[1]).toMatchObject({ role: "assistant", type: "message" });
    expect(server.requests[1].input[1].id).toMatch(/^msg_/);
  });

  test("respondWith decides per request; queued steps go first", async () => {
    server.respondWith((body) => ({
      text: `model ${body.model} saw ${body.input.length} item(s)`,
    }));
    server.script({ text: "queued" });
    expect((await new Runner().run(agent(), "one")).finalOutput).toBe("queued");
    expect((await new Runner().run(agent(), "two")).finalOutput).toBe(
      "model gpt-test saw 1 item(s)",
    );
    expect(server.pending()).toBe(0);
  });

  test("a wrong API key is a 401 AuthenticationError in OpenAI's shape", async () => {
    const error = await rejection(
      new Runner().run(agent(client({ apiKey: "sk-wrong-key-123456" })), "hi"),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    const apiError = error as AuthenticationError;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe("invalid_api_key");
    expect(apiError.type).toBe("invalid_request_error");
    expect(apiError.message).toContain("Incorrect API key provided: sk-");
    expect(apiError.message).not.toContain("sk-wrong-key-123456");
    expect(server.requests).toHaveLength(0);

    const missing = await fetch(`${server.baseURL}/responses`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: expect.objectContaining({ type: "invalid_request_error", param: null, code: null }),
    });
  });

  test("a scripted 500 surfaces as an InternalServerError; the client's retry consumes the next step", async () => {
    server.script({ error: { status: 500 } });
    const error = await rejection(new Runner().run(agent(client({ maxRetries: 0 })), "hi"));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(500);
    expect((error as APIError).type).toBe("server_error");
    expect((error as APIError).message).toContain(
      "The server had an error while processing your request",
    );

    // The openai client retries 5xx by itself (maxRetries 2 by default): each attempt is a
    // request and consumes a step. retry-after-ms keeps the test fast.
    server.script(
      { error: { status: 500, headers: { "retry-after-ms": "10" } } },
      { text: "recovered" },
    );
    const result = await new Runner().run(agent(), "again");
    expect(result.finalOutput).toBe("recovered");
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2].input).toEqual(server.requests[1].input);
  });

  test("a custom error body and status are returned as given", async () => {
    server.script({
      error: {
        status: 400,
        body: {
          error: { message: "bad thing", type: "invalid_request_error", param: "input", code: "x" },
        },
      },
    });
    const error = await rejection(new Runner().run(agent(), "hi"));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as APIError).param).toBe("input");
    expect((error as APIError).message).toContain("bad thing");
  });

  test("inputs the real API rejects are 400s: orphan tool output, missing tool output, bad ids", async () => {
    const run = (input: AgentInputItem[]) => rejection(new Runner().run(agent(), input));
    const orphanOutput = await run([
      {
        type: "function_call_result",
        name: "weather",
        callId: "call_x",
        status: "completed",
        output: "sunny",
      },
      { role: "user", content: "and now?" },
    ]);
    expect(orphanOutput).toBeInstanceOf(BadRequestError);
    expect((orphanOutput as APIError).message).toContain(
      "No tool call found for function call output with call_id call_x.",
    );
    const orphanCall = await run([
      { role: "user", content: "weather?" },
      {
        type: "function_call",
        name: "weather",
        callId: "call_y",
        arguments: "{}",
        status: "completed",
      },
      { role: "user", content: "and now?" },
    ]);
    expect((orphanCall as APIError).message).toContain(
      "No tool output found for function call call_y.",
    );
    const fakeId = await run([
      { role: "user", content: "hello" },
      {
        id: "__fake_id__",
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "hi" }],
      },
      { role: "user", content: "again" },
    ]);
    expect((fakeId as APIError).message).toContain(
      "Invalid 'input[1].id': '__fake_id__'. Expected an ID that begins with 'msg'.",
    );
    expect(server.requests).toHaveLength(3);
  });

  test("a reasoning item it produced is a 400 without the item after it, and that item without it", async () => {
    server.script({
      output: [
        { id: "rs_pair1", type: "reasoning", summary: [] },
        {
          id: "msg_pair1",
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "thought it through", annotations: [] }],
        },
      ],
    });
    const first = await new Runner().run(agent(), "think");
    const history = first.history;
    expect(history.map((item: any) => item.id ?? item.role)).toEqual([
      "user",
      "rs_pair1",
      "msg_pair1",
    ]);
    const again = (items: AgentInputItem[]) => [
      ...items,
      { role: "user" as const, content: "more" },
    ];
    const withoutAnswer = await rejection(new Runner().run(agent(), again(history.slice(0, 2))));
    expect((withoutAnswer as APIError).message).toContain(
      "Item 'rs_pair1' of type 'reasoning' was provided without its required following item.",
    );
    const withoutReasoning = await rejection(
      new Runner().run(agent(), again([history[0]!, history[2]!])),
    );
    expect((withoutReasoning as APIError).message).toContain(
      "Item 'msg_pair1' of type 'message' was provided without its required 'reasoning' item: 'rs_pair1'.",
    );
    const both = await new Runner().run(agent(), again(history));
    expect(both.finalOutput).toBe("echo: more");
  });

  test("a reasoning item's tool call may come back without its id (as the SDK saves it), by call_id", async () => {
    server.script({
      output: [
        { id: "rs_tool1", type: "reasoning", summary: [] },
        {
          id: "fc_tool1",
          type: "function_call",
          call_id: "call_tool1",
          name: "weather",
          arguments: "{}",
          status: "completed",
        },
      ],
    });
    const openai = client();
    await openai.responses.create({ model: "gpt-test", input: "weather?" });
    const reasoning = { id: "rs_tool1", type: "reasoning" as const, summary: [] };
    const output = {
      type: "function_call_output" as const,
      call_id: "call_tool1",
      output: "sunny",
    };
    const call = (callId: string) => ({
      type: "function_call" as const,
      call_id: callId,
      name: "weather",
      arguments: "{}",
    });
    const accepted = await openai.responses.create({
      model: "gpt-test",
      input: [reasoning, call("call_tool1"), output],
    });
    expect(accepted.status).toBe("completed");
    const other = await rejection(
      openai.responses.create({
        model: "gpt-test",
        input: [reasoning, call("call_other"), { ...output, call_id: "call_other" }],
      }),
    );
    expect((other as APIError).message).toContain(
      "Item 'rs_tool1' of type 'reasoning' was provided without its required following item.",
    );
  });

  test("streaming: text deltas and a tool call arrive as Responses SSE events", async () => {
    server.script(
      { toolCall: { name: "weather", arguments: '{"city":"Rome"}' } },
      { text: "Sunny in Rome, as usual." },
    );
    const streamed = await new Runner().run(agent(), "Rome?", { stream: true });
    const deltas: string[] = [];
    for await (const event of streamed) {
      if (event.type === "raw_model_stream_event" && event.data.type === "output_text_delta") {
        deltas.push(event.data.delta);
      }
    }
    await streamed.completed;
    expect(streamed.finalOutput).toBe("Sunny in Rome, as usual.");
    expect(deltas.join("")).toBe("Sunny in Rome, as usual.");
    expect(deltas.length).toBeGreaterThan(1);
    expect(server.requests.map((body) => body.stream)).toEqual([true, true]);
    expect(server.requests[1].input[2]).toMatchObject({
      type: "function_call_output",
      output: "sunny in Rome",
    });
  });

  test("streaming at a pace: deltaDelayMs spaces the text deltas", async () => {
    server.script({ text: "one two three four", deltaDelayMs: 150 });
    const streamed = await new Runner().run(agent(), "count", { stream: true });
    const times: number[] = [];
    for await (const event of streamed) {
      if (event.type === "raw_model_stream_event" && event.data.type === "output_text_delta") {
        times.push(Date.now());
      }
    }
    await streamed.completed;
    expect(streamed.finalOutput).toBe("one two three four");
    expect(times).toHaveLength(4);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3 * 150 - 30);
  });

  test.each(["disconnect", "response.failed"] as const)(
    "streamFailure (%s): some deltas, then the run fails",
    async (how) => {
      server.script({ streamFailure: { text: "never finished answer", afterDeltas: 2, how } });
      const streamed = await new Runner().run(agent(), "fail", { stream: true });
      streamed.completed.catch(() => {});
      const deltas: string[] = [];
      await expect(
        (async () => {
          for await (const event of streamed) {
            if (
              event.type === "raw_model_stream_event" &&
              event.data.type === "output_text_delta"
            ) {
              deltas.push(event.data.delta);
            }
          }
          await streamed.completed;
        })(),
      ).rejects.toThrow();
      expect(deltas).toEqual(["never ", "finished "]);
      // Broken mid-way, the request is not retried.
      expect(server.requests).toHaveLength(1);
      expect(server.responses).toHaveLength(0);
    },
  );

  test("a delayed step answers late; requests are recorded as they arrive", async () => {
    // biome-ignore lint/suspicious/noThenProperty: ScriptStep's contract names it "then" (never a function)
    server.script({ delayMs: 2000, then: { text: "late" } });
    const started = Date.now();
    const running = new Runner().run(agent(), "slow?");
    const [body] = await server.waitForRequests(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(body.input).toEqual([{ role: "user", content: "slow?" }]);
    expect((await running).finalOutput).toBe("late");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    await expect(server.waitForRequests(2, 50)).rejects.toThrow(
      /timed out after 50 ms with 1 request/,
    );
  });

  test("GET /v1/models lists one model; unknown routes are OpenAI-shaped 404s", async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model.id);
    expect(models).toEqual(["gpt-test"]);
    const unknown = await fetch(`${server.baseURL}/nothing`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: {
        message: "Invalid URL (GET /v1/nothing)",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });
});

describe("tool outputs without their call are 400s, for every call/output type", () => {
  // The wire pairs (what the SDK's converter sends): each output names its call by call_id.
  const pairs: Array<[string, any, any]> = [
    [
      "function call",
      { type: "function_call", call_id: "c1", name: "weather", arguments: "{}" },
      { type: "function_call_output", call_id: "c1", output: "sunny" },
    ],
    [
      "computer call",
      { type: "computer_call", call_id: "c1", status: "completed", actions: [] },
      { type: "computer_call_output", call_id: "c1", output: { type: "computer_screenshot" } },
    ],
    [
      "shell call",
      { type: "shell_call", call_id: "c1", action: { commands: ["ls"] } },
      { type: "shell_call_output", call_id: "c1", output: [] },
    ],
    [
      "apply patch call",
      { type: "apply_patch_call", call_id: "c1", operation: { type: "delete_file", path: "x" } },
      { type: "apply_patch_call_output", call_id: "c1", status: "completed" },
    ],
    [
      "program",
      { type: "program", call_id: "c1", code: "1", fingerprint: "f" },
      { type: "program_output", call_id: "c1", output: "1", status: "completed" },
    ],
    [
      "tool search",
      { type: "tool_search_call", call_id: "c1", arguments: {}, execution: "client" },
      { type: "tool_search_output", call_id: "c1", tools: [], execution: "client" },
    ],
    [
      "custom tool call",
      { type: "custom_tool_call", call_id: "c1", name: "x", input: "" },
      { type: "custom_tool_call_output", call_id: "c1", output: "ok" },
    ],
  ];

  test.each(pairs)("%s output", async (kind, call, output) => {
    const user = { role: "user", content: "go on" };
    const orphan = await rejection(
      client().responses.create({ model: "gpt-test", input: [output, user] }),
    );
    expect(orphan).toBeInstanceOf(BadRequestError);
    expect((orphan as APIError).message).toContain(
      `No tool call found for ${kind} output with call_id c1.`,
    );
    // Its call after it is no help: the API reads the input in order.
    const late = await rejection(
      client().responses.create({ model: "gpt-test", input: [output, call, user] }),
    );
    expect(late).toBeInstanceOf(BadRequestError);
    const paired = await client().responses.create({
      model: "gpt-test",
      input: [call, output, user],
    });
    expect(paired.output_text).toBe("echo: go on");
  });

  test("a server-side tool search (no call_id) pairs with nothing and is accepted", async () => {
    const answer = await client().responses.create({
      model: "gpt-test",
      input: [
        { type: "tool_search_output", tools: [], execution: "server" } as any,
        { role: "user", content: "ok" },
      ],
    });
    expect(answer.output_text).toBe("echo: ok");
  });
});

describe("POST /v1/responses/compact", () => {
  test("the openai client's responses.compact gets the user messages and one compaction item", async () => {
    const compacted = await client().responses.compact({
      model: "gpt-test",
      input: [
        { role: "user", content: "first" },
        {
          id: "msg_a1",
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "one", annotations: [] }],
        },
        { role: "user", content: [{ type: "input_text", text: "second" }] },
      ],
    });
    expect(compacted.object).toBe("response.compaction");
    expect(compacted.id).toMatch(/^resp_/);
    expect(compacted.output.map((item: any) => item.type)).toEqual([
      "message",
      "message",
      "compaction",
    ]);
    expect(compacted.output.slice(0, 2)).toEqual([
      expect.objectContaining({ role: "user", content: [{ type: "input_text", text: "first" }] }),
      expect.objectContaining({ role: "user", content: [{ type: "input_text", text: "second" }] }),
    ]);
    expect((compacted.output[2] as any).encrypted_content).toEqual(expect.any(String));
    expect(compacted.usage.total_tokens).toBeGreaterThan(0);
    expect(server.compactions).toHaveLength(1);
    // Compaction is not a model turn: nothing scripted was consumed, no request recorded.
    expect(server.requests).toHaveLength(0);
  });

  test("previous_response_id compacts a stored response; an unknown id is a 400", async () => {
    const turn = await client().responses.create({ model: "gpt-test", input: "remember me" });
    const compacted = await client().responses.compact({
      model: "gpt-test",
      previous_response_id: turn.id,
    });
    expect(compacted.output[0]).toMatchObject({
      role: "user",
      content: [{ type: "input_text", text: "remember me" }],
    });
    const unknown = await rejection(
      client().responses.compact({ model: "gpt-test", previous_response_id: "resp_nope" }),
    );
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect((unknown as APIError).message).toContain(
      "Previous response with id 'resp_nope' not found.",
    );
  });

  test("its input is checked as /v1/responses checks it (an orphan output is a 400)", async () => {
    const orphan = await rejection(
      client().responses.compact({
        model: "gpt-test",
        input: [{ type: "function_call_output", call_id: "c9", output: "x" }],
      }),
    );
    expect((orphan as APIError).message).toContain(
      "No tool call found for function call output with call_id c9.",
    );
  });

  test("OpenAIResponsesCompactionSession compacts through it, and the next turn is accepted", async () => {
    const session = new OpenAIResponsesCompactionSession({
      client: client(),
      model: "gpt-5.2",
      compactionMode: "input",
    });
    await new Runner().run(agent(), "one", { session });
    await new Runner().run(agent(), "two", { session });
    await session.runCompaction({ force: true });
    const items = (await session.getItems()) as any[];
    expect(items.map((item) => item.type ?? item.role)).toEqual([
      "message",
      "message",
      "compaction",
    ]);
    expect(server.compactions[0].input).toHaveLength(4);
    const next = await new Runner().run(agent(), "three", { session });
    expect(next.finalOutput).toBe("echo: three");
    // The SDK sends what follows the newest compaction item; the server accepted it.
    expect(server.requests.at(-1).input).toEqual([
      expect.objectContaining({ type: "compaction", encrypted_content: expect.any(String) }),
      { role: "user", content: "three" },
    ]);
  });
});
