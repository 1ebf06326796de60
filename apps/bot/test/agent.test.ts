import { startResponsesServer } from "@agents-memory/test-servers/openai";
import {
  Agent,
  OpenAIChatCompletionsModel,
  OpenAIResponsesModel,
  Runner,
  Usage,
} from "@openai/agents";
import { describe, expect, test } from "vitest";
import { createModel, currentTimeTool } from "../src/agent";
import { DEMO_PREFIX, DemoModel } from "../src/demo-model";

const base = {
  name: "m",
  demo: false,
  demoReason: undefined,
  apiKey: "k",
  baseURL: "http://127.0.0.1:9/v1",
  timeoutMs: 120_000,
};

describe("the model from config", () => {
  test("OPENAI_API picks the Responses or the Chat Completions model; demo the offline one", () => {
    expect(createModel({ ...base, api: "responses" })).toBeInstanceOf(OpenAIResponsesModel);
    expect(createModel({ ...base, api: "chat" })).toBeInstanceOf(OpenAIChatCompletionsModel);
    expect(createModel({ ...base, demo: true, api: "responses" })).toBeInstanceOf(DemoModel);
  });

  test("OPENAI_TIMEOUT_MS bounds each model request: a stalled server fails the turn, not hangs it", async () => {
    const server = await startResponsesServer();
    try {
      // The first attempt and the client's two retries all stall for a minute.
      const stall = { delayMs: 60_000, text: "too late" };
      for (let attempt = 0; attempt < 3; attempt++) {
        // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
        server.script({ delayMs: stall.delayMs, then: { text: stall.text } });
      }
      const model = createModel({
        ...base,
        name: "gpt-test",
        apiKey: server.apiKey,
        baseURL: server.baseURL,
        api: "responses",
        timeoutMs: 300,
      });
      const started = performance.now();
      const turn = new Runner({ tracingDisabled: true }).run(new Agent({ name: "a", model }), "hi");
      await expect(turn).rejects.toThrow(/timed out/i);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  }, 30_000);

  test("the demo model labels every answer and reports the branch's memory", async () => {
    const model = new DemoModel();
    const request = (input: any) =>
      model.getResponse({
        input,
        modelSettings: {},
        tools: [],
        outputType: "text",
        handoffs: [],
        tracing: false,
      } as any);
    const first = await request("Ann(ann): hi");
    const text = (r: any) => r.output[0].content[0].text as string;
    expect(text(first).startsWith(`${DEMO_PREFIX} You said: "hi".`)).toBe(true);
    expect(first.usage).toBeInstanceOf(Usage);
    const later = await request([
      { role: "user", content: "Ann(ann): hi" },
      {
        role: "assistant",
        type: "message",
        status: "completed",
        content: [{ type: "output_text", text: "x" }],
      },
      { role: "user", content: "Bot: x\n\nAnn(ann): more" },
    ]);
    expect(text(later)).toBe(
      `${DEMO_PREFIX} You said: "more".\nI remember 2 earlier messages in this branch; it started with "hi".`,
    );
  });

  test("the demo model streams too (a private chat on Telegram): the same answer, as text", async () => {
    const agent = new Agent({ name: "demo", model: new DemoModel() });
    const streamed = await new Runner({ tracingDisabled: true }).run(agent, "Ann(ann): hi", {
      stream: true,
    });
    let text = "";
    for await (const event of streamed) {
      if (event.type === "raw_model_stream_event" && event.data.type === "output_text_delta") {
        text += event.data.delta;
      }
    }
    await streamed.completed;
    expect(text.startsWith(`${DEMO_PREFIX} You said: "hi".`)).toBe(true);
    expect(streamed.finalOutput).toBe(text);
  });

  test("the built-in current_time tool answers for a time zone, and explains an unknown one", async () => {
    const run = (timezone: string | null) =>
      (currentTimeTool as any).invoke({} as any, JSON.stringify({ timezone }));
    expect(await run("Europe/Berlin")).toMatch(/\(ISO \d{4}-\d{2}-\d{2}T/);
    expect(await run("Mars/Olympus")).toMatch(/^Unknown time zone "Mars\/Olympus"/);
  });
});
