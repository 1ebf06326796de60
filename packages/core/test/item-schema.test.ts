import { describe, expect, test } from "vitest";
import { MemoryStore, ReplySession } from "../src";
import { itemProblem } from "../src/store/item-schema";

describe("stored items are checked against the SDK's item schemas", () => {
  test("what the SDK produces and accepts passes", () => {
    for (const item of [
      { role: "user", content: "hi" },
      { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
      { role: "system", content: "be brief" },
      {
        id: "msg_1",
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "hello", annotations: [], logprobs: [] }],
        providerData: { anything: true },
      },
      { type: "reasoning", id: "rs_1", content: [] },
      { type: "function_call", callId: "c", name: "t", arguments: "{}" },
      { type: "function_call_result", callId: "c", name: "t", status: "completed", output: "ok" },
      {
        type: "computer_call",
        callId: "c",
        status: "completed",
        actions: [{ type: "screenshot" }],
      },
      { type: "compaction", encrypted_content: "opaque" },
      { type: "unknown", providerData: { x: 1 } },
    ]) {
      expect(itemProblem(item), JSON.stringify(item)).toBeUndefined();
    }
  });

  test.each([
    [{ foo: 1 }, "neither a type nor a role"],
    [{ role: "wizard", content: "x" }, 'message (role "wizard"): not a role the SDK knows'],
    [{ role: "user", content: 42 }, "message (user): content:"],
    [{ role: "assistant", content: "plain" }, "message (assistant):"],
    [{ type: "function_call", name: "t" }, "function_call: callId:"],
    [{ type: "computer_call", callId: "c", status: "completed" }, "computer_call:"],
    [{ type: "spell", id: "x" }, 'type "spell": not an item type the SDK knows'],
    [[1, 2], "not a JSON object"],
    [null, "not a JSON object"],
  ])("%j is rejected: %s", (value, reason) => {
    expect(itemProblem(value)).toContain(reason);
  });

  test("a read logs once, with the key, the count and the reasons", async () => {
    const warnings: Array<{ fields: any; message: string }> = [];
    const logger = {
      warn: (fields: object, message: string) => warnings.push({ fields, message }),
      error() {},
    };
    const store = new MemoryStore({ sweepIntervalMs: 0, logger });
    store.plant("bot:5:1", [
      '{"role":"user","content":"fine"}',
      '{"foo":1}',
      '{"role":"wizard","content":"x"}',
      '{"role":"user","content":7}',
      '{"foo":2}',
      "{oops",
    ]);
    const session = new ReplySession({ store, chatId: 1, replyToMessageId: 5, logger });
    expect(await session.getItems()).toEqual([{ role: "user", content: "fine" }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe("skipped stored elements that are not valid items");
    expect(warnings[0]!.fields).toEqual({
      store: "memory",
      key: "bot:5:1",
      skipped: 5,
      reasons: [
        "neither a type nor a role",
        'message (role "wizard"): not a role the SDK knows',
        expect.stringContaining("message (user): content:"),
        "not JSON",
      ],
    });
  });
});
