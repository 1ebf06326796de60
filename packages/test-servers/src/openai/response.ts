/** The Responses API's objects: the response, its output items, a model; token counts are
 * estimates (4 characters a token). */

import { randomBytes } from "node:crypto";
import type { ScriptStep } from "./types";

export const newId = (prefix: string) => `${prefix}_${randomBytes(24).toString("hex")}`;

export function modelObject(id: string) {
  return { id, object: "model", created: 1_700_000_000, owned_by: "openai" };
}

export function outputItems(
  step: Exclude<ScriptStep, { error: unknown } | { delayMs: number }>,
): any[] {
  if ("text" in step || "streamFailure" in step) {
    const text = "text" in step ? step.text : step.streamFailure.text;
    return [
      {
        id: newId("msg"),
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
      },
    ];
  }
  if ("toolCall" in step) {
    const { name, arguments: args, callId } = step.toolCall;
    return [
      {
        id: newId("fc"),
        type: "function_call",
        status: "completed",
        arguments: typeof args === "string" ? args : JSON.stringify(args),
        call_id: callId ?? newId("call").slice(0, 29),
        name,
      },
    ];
  }
  return step.output;
}

const estimateTokens = (value: unknown) =>
  value === undefined || value === null
    ? 0
    : Math.max(
        1,
        Math.ceil((typeof value === "string" ? value : JSON.stringify(value)).length / 4),
      );

export function responseObject(body: any, output: any[]) {
  const createdAt = Math.floor(Date.now() / 1000);
  const inputTokens = estimateTokens(body.instructions) + estimateTokens(body.input);
  const outputTokens = output.reduce(
    (sum, item) =>
      sum +
      (item.type === "message"
        ? estimateTokens(
            (item.content ?? []).map((part: any) => part.text ?? part.refusal ?? "").join(""),
          )
        : estimateTokens(item.arguments ?? item)),
    0,
  );
  return {
    id: newId("resp"),
    object: "response",
    created_at: createdAt,
    status: "completed",
    background: false,
    completed_at: createdAt,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
    user: null,
    metadata: body.metadata ?? {},
  };
}

/** The text of the last user message in `input` (a string, or message items). */
export function lastUserText(input: unknown): string {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return "";
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.role !== "user" || (item.type !== undefined && item.type !== "message")) {
      continue;
    }
    if (typeof item.content === "string") return item.content;
    if (Array.isArray(item.content)) {
      return item.content
        .filter((part: any) => part?.type === "input_text" && typeof part.text === "string")
        .map((part: any) => part.text)
        .join("");
    }
    return "";
  }
  return "";
}
