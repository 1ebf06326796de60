/** POST /v1/responses/compact: the API's `CompactedResponse` for a conversation. */

import { type ApiErrorBody, missingModel } from "./errors";
import { inputProblem, type ReasoningPairs } from "./input-checks";
import { newId } from "./response";

/** Each response this server gave, with the input it answered: what `previous_response_id` names. */
export type Conversations = Map<string, { input: any[]; output: any[] }>;

/** A request's `input` as a list of items (a string is one user message). */
export function inputList(input: unknown): any[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  return Array.isArray(input) ? input : [];
}

const estimateTokens = (value: unknown) => Math.ceil(JSON.stringify(value ?? "").length / 4);

/**
 * The compacted conversation, as the API gives it: every user message of the conversation
 * (`input`, or the stored response `previous_response_id` names, then `input`), each as a
 * completed `message` item with `input_text` parts, followed by one `compaction` item with
 * opaque `encrypted_content`. The input is checked as /v1/responses checks it.
 */
export function compactResponse(
  body: any,
  conversations: Conversations,
  pairs: ReasoningPairs | undefined,
): { response: any } | { status: number; error: ApiErrorBody } {
  if (!body || typeof body !== "object" || typeof body.model !== "string" || !body.model) {
    return { status: 400, error: missingModel() };
  }
  let items = inputList(body.input);
  const previousId = body.previous_response_id;
  if (typeof previousId === "string" && previousId !== "") {
    const previous = conversations.get(previousId);
    if (!previous) {
      return {
        status: 400,
        error: {
          message: `Previous response with id '${previousId}' not found.`,
          type: "invalid_request_error",
          param: "previous_response_id",
          code: "previous_response_not_found",
        },
      };
    }
    items = [...previous.input, ...previous.output, ...items];
  } else if (pairs) {
    const problem = inputProblem({ input: items }, pairs);
    if (problem) return { status: 400, error: problem };
  }
  const userMessages = items
    .filter((item) => item?.role === "user" && (item.type === undefined || item.type === "message"))
    .map((item) => ({
      id: newId("msg"),
      type: "message",
      status: "completed",
      role: "user",
      content:
        typeof item.content === "string"
          ? [{ type: "input_text", text: item.content }]
          : Array.isArray(item.content)
            ? item.content
            : [],
    }));
  const compaction = {
    id: newId("cmp"),
    type: "compaction",
    encrypted_content: Buffer.from(
      JSON.stringify({ compacted: items.length - userMessages.length }),
    ).toString("base64"),
  };
  const inputTokens = estimateTokens(items);
  const outputTokens = estimateTokens(compaction.encrypted_content);
  return {
    response: {
      id: newId("resp"),
      object: "response.compaction",
      created_at: Math.floor(Date.now() / 1000),
      output: [...userMessages, compaction],
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + outputTokens,
      },
    },
  };
}
