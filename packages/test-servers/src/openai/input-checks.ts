/** The 400s the real API gives for inputs a conversation store can get wrong. */

import type { ApiErrorBody } from "./errors";

/**
 * Each reasoning item this server produced and the item right after it, both ways. The follower
 * is known by its id and, for a tool call, by its call_id too: the SDK drops a function
 * call's id when it saves it to a session, and sends it back with its call_id only.
 */
export interface ReasoningPairs {
  followerOf: Map<string, { id: string; callId?: string }>;
  reasoningOf: Map<string, string>;
}

export function rememberReasoningPairs(output: any[], pairs: ReasoningPairs): void {
  for (const [index, item] of output.entries()) {
    const next = output[index + 1];
    if (item?.type === "reasoning" && typeof item.id === "string" && typeof next?.id === "string") {
      const callId = typeof next.call_id === "string" ? next.call_id : undefined;
      pairs.followerOf.set(item.id, { id: next.id, ...(callId ? { callId } : {}) });
      pairs.reasoningOf.set(next.id, item.id);
    }
  }
}

const isFollower = (item: any, follower: { id: string; callId?: string }) =>
  item?.id === follower.id || (follower.callId !== undefined && item?.call_id === follower.callId);

export function inputProblem(body: any, pairs: ReasoningPairs): ApiErrorBody | undefined {
  const input = body.input;
  if (!Array.isArray(input)) return undefined;
  const invalid = (message: string, param: string): ApiErrorBody => ({
    message,
    type: "invalid_request_error",
    param,
    code: null,
  });
  for (const [index, item] of input.entries()) {
    if (!item || typeof item !== "object") continue;
    const id = item.id;
    // The API's own messages for a reasoning item sent apart from the item that followed it.
    const follower = typeof id === "string" ? pairs.followerOf.get(id) : undefined;
    if (follower !== undefined && !isFollower(input[index + 1], follower)) {
      return invalid(
        `Item '${id}' of type 'reasoning' was provided without its required following item.`,
        "input",
      );
    }
    const reasoning = typeof id === "string" ? pairs.reasoningOf.get(id) : undefined;
    if (reasoning !== undefined && input[index - 1]?.id !== reasoning) {
      return invalid(
        `Item '${id}' of type '${item.type ?? "message"}' was provided without its required 'reasoning' item: '${reasoning}'.`,
        "input",
      );
    }
    if (typeof id === "string") {
      const expected =
        item.type === "function_call"
          ? "fc"
          : (item.type === "message" || item.type === undefined) && item.role === "assistant"
            ? "msg"
            : undefined;
      if (expected && !id.startsWith(expected)) {
        return invalid(
          `Invalid 'input[${index}].id': '${id}'. Expected an ID that begins with '${expected}'.`,
          `input[${index}].id`,
        );
      }
    }
  }
  // With previous_response_id or a conversation the calls may live server-side.
  if (body.previous_response_id || body.conversation) return undefined;
  return orphanProblem(input, invalid);
}

/** Each tool output type of the wire and the call type it answers (linked by `call_id`). */
const OUTPUT_CALLS = new Map([
  ["function_call_output", "function_call"],
  ["computer_call_output", "computer_call"],
  ["shell_call_output", "shell_call"],
  ["apply_patch_call_output", "apply_patch_call"],
  ["program_output", "program"],
  ["tool_search_output", "tool_search_call"],
  ["custom_tool_call_output", "custom_tool_call"],
]);
const CALL_TYPES = new Set(OUTPUT_CALLS.values());

/**
 * A tool output whose call is not earlier in the input (400 "No tool call found for function
 * call output with call_id …", the wording following the output's type), or a function call
 * without its output ("No tool output found for function call …"). A call or output without a
 * `call_id` (a server-side tool search) pairs with nothing.
 */
function orphanProblem(
  input: any[],
  invalid: (message: string, param: string) => ApiErrorBody,
): ApiErrorBody | undefined {
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const item of input) {
    const callId = item?.call_id;
    if (typeof callId !== "string") continue;
    if (CALL_TYPES.has(item.type)) calls.add(`${item.type}:${callId}`);
    const callType = OUTPUT_CALLS.get(item.type);
    if (callType === undefined) continue;
    if (!calls.has(`${callType}:${callId}`)) {
      const kind = (item.type as string).replace(/_output$/, "").replaceAll("_", " ");
      return invalid(`No tool call found for ${kind} output with call_id ${callId}.`, "input");
    }
    answered.add(`${callType}:${callId}`);
  }
  for (const call of calls) {
    if (call.startsWith("function_call:") && !answered.has(call)) {
      return invalid(
        `No tool output found for function call ${call.slice("function_call:".length)}.`,
        "input",
      );
    }
  }
  return undefined;
}
