import { protocol } from "@openai/agents";
import { describe, expect, test } from "vitest";
import { filterItems, trimItems } from "../src";
import {
  keptMask,
  pairRole,
  TOOL_CALL_LINKS,
  TOOL_OUTPUT_LINKS,
  windowOf,
  windowStart,
} from "../src/policy";
import { elementsWindowStart, trimElements } from "../src/store";

const user = (text: string) => ({ role: "user", content: text }) as any;
const answer = (id: string) =>
  ({
    role: "assistant",
    id,
    status: "completed",
    content: [{ type: "output_text", text: id }],
  }) as any;
const reasoning = (id: string) => ({ type: "reasoning", id, content: [] }) as any;
const call = (callId: string) =>
  ({ type: "function_call", id: `fc_${callId}`, callId, name: "t", arguments: "{}" }) as any;
const result = (callId: string) =>
  ({ type: "function_call_result", callId, name: "t", status: "completed", output: "ok" }) as any;
const label = (item: any) => item.id ?? (item.type ? `${item.type}:${item.callId}` : item.content);

describe("windowStart: a window never splits a pair", () => {
  test("a list that fits is kept whole, but for an output without its call", () => {
    const whole = [user("q1"), call("a"), result("a"), reasoning("rs_1")];
    expect(windowStart(whole, 4)).toBe(0);
    expect(windowStart(whole, 9)).toBe(0);
    // The Responses API rejects an orphaned output however it came to be: the window starts
    // after it, even when everything fits.
    const items = [user("q0"), result("orphan"), user("q")];
    expect(windowStart(items, 3)).toBe(2);
    expect(windowStart(items, 5)).toBe(2);
  });

  test("an output whose call is cut goes, with everything before it", () => {
    const items = [user("q1"), call("a"), user("between"), result("a"), answer("msg_1")];
    // Newest 3 starts at the user item after the call: the result would be orphaned.
    expect(windowOf(items, 3).map(label)).toEqual(["msg_1"]);
    expect(windowOf(items, 4).map(label)).toEqual(items.slice(1).map(label));
    expect(windowOf(items, 5).map(label)).toEqual(items.map(label));
  });

  test("parallel calls: the window starts where every output has its call", () => {
    const items = [user("q"), reasoning("rs_1"), call("a"), call("b"), result("a"), result("b")];
    const labels = (limit: number) => windowOf(items, limit).map(label);
    expect(labels(6)).toEqual(items.map(label));
    // Starting at fc_a would leave it without rs_1; starting at fc_b orphans result a.
    expect(labels(5)).toEqual([
      "rs_1",
      "fc_a",
      "fc_b",
      "function_call_result:a",
      "function_call_result:b",
    ]);
    expect(labels(4)).toEqual([]);
    expect(labels(3)).toEqual([]);
    expect(labels(1)).toEqual([]);
  });

  test("a reasoning item's follower never starts a window; reasoning at the end stays", () => {
    const items = [user("q1"), reasoning("rs_1"), answer("msg_1"), user("q2"), reasoning("rs_2")];
    expect(windowOf(items, 3).map(label)).toEqual(["q2", "rs_2"]);
    expect(windowOf(items, 4).map(label)).toEqual(["rs_1", "msg_1", "q2", "rs_2"]);
  });

  test("a reasoning item whose follower is a call whose output is later", () => {
    const items = [user("q"), reasoning("rs_1"), call("a"), result("a"), answer("msg_1")];
    expect(windowOf(items, 4).map(label)).toEqual(items.slice(1).map(label));
    // Starting at fc_a loses rs_1; fc_a goes, then its result is orphaned and goes too.
    expect(windowOf(items, 3).map(label)).toEqual(["msg_1"]);
  });

  test("an output whose call is missing altogether never stays in a cut window", () => {
    const items = [user("q1"), user("q2"), result("nowhere"), answer("msg_1")];
    expect(windowOf(items, 3).map(label)).toEqual(["msg_1"]);
  });

  test("a call without its output stays (its output may come later)", () => {
    const items = [user("q1"), user("q2"), call("pending")];
    expect(windowOf(items, 2).map(label)).toEqual(["q2", "fc_pending"]);
  });

  test("limit 0 is an empty window", () => {
    expect(windowStart([user("a")], 0)).toBe(1);
  });

  test("trimItems and trimElements cut in the same place, strings and bytes alike", () => {
    const seeded = mulberry32(7);
    for (let round = 0; round < 300; round++) {
      const items = randomHistory(seeded, 1 + Math.floor(seeded() * 14));
      const limit = 1 + Math.floor(seeded() * items.length);
      const elements = items.map((item) => JSON.stringify(item));
      const start = windowStart(items, limit);
      expect(elementsWindowStart(elements, limit)).toBe(start);
      expect(trimElements(elements, limit)).toHaveLength(items.length - start);
      expect(trimItems(items, limit)).toEqual(items.slice(start));
      assertWhole(items.slice(start), start > 0 ? items[start - 1] : undefined);
    }
  });
});

describe("pairRole: every call/output type of the SDK links to its partner", () => {
  /** Each `protocol.ModelItem` option's type literal and the keys of its shape. */
  function sdkShapes(): Array<{ type: string; keys: string[] }> {
    const union = protocol.ModelItem as unknown as {
      options: Array<{ shape?: Record<string, any>; def?: any }>;
    };
    return union.options.map((schema) => {
      // computer_call is refined: its object schema sits under the refinement.
      const shape = schema.shape ?? schema.def?.schema?.shape ?? schema.def?.in?.shape;
      let typeSchema = shape.type;
      while (typeSchema && !typeSchema.def?.values && typeSchema.def?.innerType)
        typeSchema = typeSchema.def.innerType;
      return { type: String(typeSchema.def.values[0]), keys: Object.keys(shape) };
    });
  }

  test("a type with a call id is a call or an output, and pairRole finds its link", () => {
    const linked = sdkShapes().filter(({ keys }) => keys.includes("callId"));
    expect(linked.length).toBeGreaterThanOrEqual(12);
    for (const { type } of linked) {
      const fields = TOOL_CALL_LINKS[type] ?? TOOL_OUTPUT_LINKS[type];
      // A new SDK call/output type lands here: add it to TOOL_CALL_LINKS or TOOL_OUTPUT_LINKS.
      expect(fields, type).toBeDefined();
      const kind = TOOL_CALL_LINKS[type] ? "call" : "output";
      expect(pairRole({ type, callId: "c1" })).toEqual({ kind, link: "c1" });
    }
  });

  test("each SDK call type has its output type, and the Python era's wire names link by call_id", () => {
    for (const [callType, outputType] of [
      ["function_call", "function_call_result"],
      ["computer_call", "computer_call_result"],
      ["shell_call", "shell_call_output"],
      ["apply_patch_call", "apply_patch_call_output"],
      ["program", "program_output"],
      ["tool_search_call", "tool_search_output"],
      ["function_call", "function_call_output"],
      ["computer_call", "computer_call_output"],
      ["custom_tool_call", "custom_tool_call_output"],
      ["local_shell_call", "local_shell_call_output"],
    ] as const) {
      const items = [
        user("q"),
        { type: callType, call_id: "x" },
        user("mid"),
        { type: outputType, call_id: "x" },
      ];
      expect(windowOf(items, 2).length, `${callType} -> ${outputType}`).toBe(0);
      expect(windowOf(items, 3).length).toBe(3);
    }
    const approval = [
      { type: "mcp_approval_request", id: "mcpr_1" },
      user("mid"),
      { type: "mcp_approval_response", approval_request_id: "mcpr_1" },
    ];
    expect(windowOf(approval, 2)).toEqual([]);
  });

  test("a hosted MCP approval request and its response (hosted_tool_call, as the SDK keeps them)", () => {
    const request = {
      type: "hosted_tool_call",
      name: "mcp_approval_request",
      id: "mcpr_1",
      providerData: { type: "mcp_approval_request", id: "mcpr_1", server_label: "s" },
    };
    const response = {
      type: "hosted_tool_call",
      name: "mcp_approval_response",
      providerData: { type: "mcp_approval_response", approval_request_id: "mcpr_1", approve: true },
    };
    expect(pairRole(request)).toEqual({ kind: "call", link: "mcpr_1" });
    expect(pairRole(response)).toEqual({ kind: "output", link: "mcpr_1" });
    expect(pairRole({ ...request, providerData: { type: "mcp_approval_request" } })).toEqual({
      kind: "call",
      link: "mcpr_1",
    });
    expect(
      pairRole({ type: "hosted_tool_call", name: "web_search_call", id: "ws_1" }),
    ).toBeUndefined();
    expect(windowOf([request, user("mid"), response], 2)).toEqual([]);
    const elements = [request, user("mid"), response].map((item) => JSON.stringify(item));
    expect(elementsWindowStart(elements, 2)).toBe(3);
  });

  test("no link, no pair: a server-side tool search (call_id null) and odd values", () => {
    expect(pairRole({ type: "tool_search_output", call_id: null, tools: [] })).toBeUndefined();
    expect(pairRole({ type: "function_call", callId: "" })).toBeUndefined();
    expect(pairRole({ type: "constructor", callId: "x" })).toBeUndefined();
    expect(pairRole(null)).toBeUndefined();
    expect(pairRole("reasoning")).toBeUndefined();
  });
});

describe("the filter keeps a call and its output together", () => {
  test("when keep drops one of a pair, the other goes too, and the reasoning before it", () => {
    const items = [user("q"), reasoning("rs_1"), call("a"), result("a"), answer("msg_1")];
    const noCalls = (item: any) => item.type !== "function_call";
    expect(keptMask(items, noCalls)).toEqual([true, false, false, false, true]);
    const noResults = (item: any) => item.type !== "function_call_result";
    expect(keptMask(items, noResults)).toEqual([true, false, false, false, true]);
  });

  test("an output whose call is not in the batch is left to keep (written in another call)", () => {
    expect(keptMask([result("earlier"), answer("msg_1")], () => true)).toEqual([true, true]);
  });

  test("dropTypes: [] keeps tool pairs", () => {
    const items = [user("q"), call("a"), result("a"), answer("msg_1")];
    expect(filterItems(items, { dropTypes: [] })).toEqual(items);
  });
});

/** No output without its call, no follower without its reasoning item (`before` the window). */
function assertWhole(window: any[], before: any): void {
  if (window.length > 0 && pairRole(before)?.kind === "reasoning") {
    throw new Error(`the window starts with ${label(window[0])} without its reasoning item`);
  }
  const calls = new Set<string>();
  for (const item of window) {
    const role = pairRole(item);
    if (role?.kind === "call") calls.add(role.link);
    if (role?.kind === "output" && !calls.has(role.link)) {
      throw new Error(`${label(item)} without its call in ${window.map(label)}`);
    }
  }
}

function randomHistory(random: () => number, turns: number): any[] {
  const items: any[] = [];
  let calls = 0;
  for (let turn = 0; turn < turns; turn++) {
    items.push(user(`q${turn}`));
    const pending: string[] = [];
    const steps = Math.floor(random() * 3);
    for (let step = 0; step < steps; step++) {
      if (random() < 0.5) items.push(reasoning(`rs_${turn}_${step}`));
      const parallel = 1 + Math.floor(random() * 2);
      for (let p = 0; p < parallel; p++) {
        const id = `c${calls++}`;
        items.push(call(id));
        pending.push(id);
      }
      while (pending.length > 0) items.push(result(pending.shift()!));
    }
    if (random() < 0.5) items.push(reasoning(`rs_${turn}`));
    items.push(answer(`msg_${turn}`));
  }
  return items;
}

function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
