import { protocol } from "@openai/agents";
import { describe, expect, test } from "vitest";
import {
  CONVERSATION_ITEM_TYPES,
  DEFAULT_DROP_IDS,
  filterItems,
  isToolItem,
  TOOL_ITEM_TYPES,
  trimItems,
} from "../src";
import { keptMask } from "../src/policy";
import { trimElements } from "../src/store";

/** Every `type` literal the installed SDK's own item schemas define (`protocol.ModelItem`). */
function sdkItemTypes(): string[] {
  const types = new Set<string>();
  const union = protocol.ModelItem as unknown as { options: Array<{ shape: { type?: unknown } }> };
  for (const schema of union.options) {
    let typeSchema = schema.shape.type as any;
    // `message` items declare `type: z.literal('message').optional()`.
    while (typeSchema && !typeSchema.def?.values && typeSchema.def?.innerType)
      typeSchema = typeSchema.def.innerType;
    const values: unknown[] | undefined = typeSchema?.def?.values ?? typeSchema?.options;
    if (!values) throw new Error("an SDK item schema has no literal type: update this test");
    for (const value of values) types.add(String(value));
  }
  return [...types].sort();
}

describe("tool item classification", () => {
  test("every item type of the installed SDK is classified as tool or conversation", () => {
    const types = sdkItemTypes();
    expect(types.length).toBeGreaterThan(10);
    const unclassified = types.filter(
      (type) => !TOOL_ITEM_TYPES.includes(type) && !CONVERSATION_ITEM_TYPES.includes(type),
    );
    // A new SDK type lands here: decide whether it is a tool item (drop from memory) or not.
    expect(unclassified).toEqual([]);
  });

  test("every SDK call/output type is a tool item", () => {
    for (const type of sdkItemTypes()) {
      if (/(_call|_output|_result)$|^program/.test(type)) expect(TOOL_ITEM_TYPES).toContain(type);
    }
  });

  test("the design's list is covered, SDK and Python era", () => {
    for (const type of [
      "function_call",
      "function_call_result",
      "hosted_tool_call",
      "computer_call",
      "computer_call_result",
      "shell_call",
      "shell_call_output",
      "apply_patch_call",
      "apply_patch_call_output",
      "tool_search_call",
      "tool_search_output",
      "program",
      "program_output",
      "function_call_output",
      "computer_call_output",
      "local_shell_call",
      "local_shell_call_output",
      "custom_tool_call",
      "custom_tool_call_output",
      "file_search_call",
      "web_search_call",
      "code_interpreter_call",
      "image_generation_call",
      "mcp_call",
      "mcp_list_tools",
      "mcp_approval_request",
      "mcp_approval_response",
    ]) {
      expect(isToolItem({ type })).toBe(true);
    }
    expect(isToolItem({ role: "user", content: "hi" })).toBe(false);
    expect(isToolItem({ type: "message", role: "assistant", content: [] })).toBe(false);
    expect(isToolItem({ type: "reasoning", content: [] })).toBe(false);
    expect(isToolItem(null)).toBe(false);
    expect(isToolItem("function_call")).toBe(false);
  });
});

describe("filterItems", () => {
  const user = { role: "user", content: "hi" } as any;
  const assistant = { role: "assistant", id: "msg_1", status: "completed", content: [] } as any;
  const fake = { role: "assistant", id: "__fake_id__", status: "completed", content: [] } as any;
  const call = { type: "function_call", callId: "c", name: "f", arguments: "{}" } as any;
  const result = {
    type: "function_call_result",
    callId: "c",
    name: "f",
    status: "completed",
    output: "x",
  } as any;
  const pyOutput = { type: "function_call_output", call_id: "c", output: "x" } as any;

  test("drops tool items and __fake_id__ items, keeps order", () => {
    expect(DEFAULT_DROP_IDS).toEqual(["__fake_id__"]);
    expect(filterItems([user, call, result, fake, pyOutput, assistant])).toEqual([user, assistant]);
  });

  test("is configurable: extra types and ids, or a replacement list", () => {
    expect(filterItems([user, assistant], { extraDropIds: ["msg_1"] })).toEqual([user]);
    expect(
      filterItems([user, { type: "reasoning", content: [] } as any], {
        extraDropTypes: ["reasoning"],
      }),
    ).toEqual([user]);
    expect(filterItems([user, call, fake], { dropTypes: [], dropIds: [] })).toEqual([
      user,
      call,
      fake,
    ]);
  });
});

describe("reasoning items go with the item that answered them", () => {
  const user = { role: "user", content: "what time is it?" } as any;
  const rs1 = { type: "reasoning", id: "rs_1", content: [] } as any;
  const call = {
    type: "function_call",
    id: "fc_1",
    callId: "c",
    name: "t",
    arguments: "{}",
  } as any;
  const result = { type: "function_call_result", callId: "c", name: "t", output: "12:00" } as any;
  const rs2 = { type: "reasoning", id: "rs_2", content: [] } as any;
  const answer = { role: "assistant", id: "msg_2", status: "completed", content: [] } as any;

  test("a reasoning item whose tool call is dropped is dropped with it", () => {
    // The API rejects rs_1 without fc_1; rs_2 keeps its answer.
    expect(filterItems([user, rs1, call, result, rs2, answer])).toEqual([user, rs2, answer]);
    expect(filterItems([user, rs2, answer])).toEqual([user, rs2, answer]);
  });

  test("a chain of reasoning items before a dropped item goes too; a trailing one stays", () => {
    const keep = (item: any) => item.type !== "function_call";
    expect(keptMask([rs1, rs2, call, rs2], keep)).toEqual([false, false, false, true]);
    expect(keptMask([user, rs1], keep)).toEqual([true, true]);
  });

  test("a trim never keeps the answer without its reasoning item", () => {
    const turn = (n: number) => [
      { role: "user", content: `q${n}` },
      { type: "reasoning", id: `rs_${n}`, content: [] },
      { role: "assistant", id: `msg_${n}`, content: [] },
    ];
    const history = [...turn(1), ...turn(2)] as any[];
    // Newest 4 would start at msg_1, whose rs_1 is cut: msg_1 goes too.
    expect(trimItems(history, 4).map((i) => i.id ?? i.content)).toEqual(["q2", "rs_2", "msg_2"]);
    expect(trimItems(history, 5).map((i) => i.id ?? i.content)).toEqual([
      "rs_1",
      "msg_1",
      "q2",
      "rs_2",
      "msg_2",
    ]);
    const elements = history.map((item) => JSON.stringify(item));
    expect(trimElements(elements, 4)).toEqual(elements.slice(3));
  });
});

describe("trimItems", () => {
  test("keeps the newest max items in order", () => {
    expect(trimItems([1, 2, 3, 4, 5], 3)).toEqual([3, 4, 5]);
    expect(trimItems([1, 2], 3)).toEqual([1, 2]);
  });
  test("rejects a bad max", () => {
    expect(() => trimItems([1], 0)).toThrow(RangeError);
    expect(() => trimItems([1], 2.5)).toThrow(RangeError);
    expect(() => trimItems([1], "3" as unknown as number)).toThrow(RangeError);
  });
});
