/** The 400s the real API gives for inputs a conversation store can get wrong. */

import type { ApiErrorBody } from "./errors";

/** Each reasoning item this server produced and the item right after it, both ways, by id. */
export interface ReasoningPairs {
  followerOf: Map<string, string>;
  reasoningOf: Map<string, string>;
}

export function rememberReasoningPairs(output: any[], pairs: ReasoningPairs): void {
  for (const [index, item] of output.entries()) {
    const next = output[index + 1];
    if (item?.type === "reasoning" && typeof item.id === "string" && typeof next?.id === "string") {
      pairs.followerOf.set(item.id, next.id);
      pairs.reasoningOf.set(next.id, item.id);
    }
  }
}

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
    if (follower !== undefined && input[index + 1]?.id !== follower) {
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
  const callIds = new Set<string>();
  const outputIds = new Set<string>();
  for (const item of input) {
    if (item?.type === "function_call" && typeof item.call_id === "string") {
      callIds.add(item.call_id);
    }
    if (item?.type === "function_call_output" && typeof item.call_id === "string") {
      if (!callIds.has(item.call_id)) {
        return invalid(
          `No tool call found for function call output with call_id ${item.call_id}.`,
          "input",
        );
      }
      outputIds.add(item.call_id);
    }
  }
  for (const callId of callIds) {
    if (!outputIds.has(callId)) {
      return invalid(`No tool output found for function call ${callId}.`, "input");
    }
  }
  return undefined;
}
