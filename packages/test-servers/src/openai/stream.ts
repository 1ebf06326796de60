/** Streaming: a finished response replayed as the Responses API's server-sent events
 * (response.created ... response.completed), text and arguments in word-sized deltas, at a
 * pace if asked, or failing mid-way (the connection cut, or `response.failed`). */

import type { ServerResponse } from "node:http";
import { commonHeaders } from "./http";
import type { responseObject } from "./response";

export interface StreamOptions {
  /** Wait between two text deltas, in ms (default 0: all at once). */
  deltaDelayMs?: number | undefined;
  /** Fail after this many text deltas: cut the connection, or send `response.failed`. */
  failure?: { afterDeltas: number; how: "disconnect" | "response.failed" } | undefined;
}

/** Streams a finished response as the Responses API's server-sent events. */
export async function sendStream(
  res: ServerResponse,
  response: ReturnType<typeof responseObject>,
  options: StreamOptions = {},
): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(200, {
    ...commonHeaders(),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  let sequence = 0;
  const emit = (type: string, data: Record<string, unknown>) => {
    res.write(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`,
    );
  };
  const skeleton = {
    ...response,
    status: "in_progress",
    completed_at: null,
    output: [],
    usage: null,
  };
  let deltas = 0;
  /** Before each text delta: the wait, and the failure when its time has come. False: stop. */
  const beforeDelta = async (): Promise<boolean> => {
    if (deltas > 0 && options.deltaDelayMs) {
      await new Promise((resolve) => setTimeout(resolve, options.deltaDelayMs));
    }
    if (res.destroyed) return false;
    const { failure } = options;
    if (failure && deltas >= failure.afterDeltas) {
      if (failure.how === "disconnect") {
        // What was written reaches the client first: a cut before any data is a failed
        // request, which the client retries; this is a stream broken mid-way.
        await new Promise((resolve) => res.write("", resolve));
        res.destroy();
      } else {
        emit("response.failed", {
          response: {
            ...skeleton,
            status: "failed",
            error: { code: "server_error", message: "The model failed while generating." },
          },
        });
        res.end();
      }
      return false;
    }
    deltas++;
    return true;
  };
  emit("response.created", { response: skeleton });
  emit("response.in_progress", { response: skeleton });
  for (const [outputIndex, item] of (response.output as any[]).entries()) {
    if (item.type === "message") {
      emit("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, status: "in_progress", content: [] },
      });
      for (const [contentIndex, part] of ((item.content ?? []) as any[]).entries()) {
        const where = { item_id: item.id, output_index: outputIndex, content_index: contentIndex };
        if (part.type !== "output_text") {
          emit("response.content_part.added", { ...where, part });
          emit("response.content_part.done", { ...where, part });
          continue;
        }
        emit("response.content_part.added", {
          ...where,
          part: { ...part, text: "", annotations: [], logprobs: [] },
        });
        for (const delta of chunkText(part.text)) {
          if (!(await beforeDelta())) return;
          emit("response.output_text.delta", { ...where, delta, logprobs: [] });
        }
        emit("response.output_text.done", { ...where, text: part.text, logprobs: [] });
        emit("response.content_part.done", { ...where, part });
      }
    } else if (item.type === "function_call") {
      emit("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, status: "in_progress", arguments: "" },
      });
      const where = { item_id: item.id, output_index: outputIndex };
      for (const delta of chunkText(item.arguments)) {
        emit("response.function_call_arguments.delta", { ...where, delta });
      }
      emit("response.function_call_arguments.done", {
        ...where,
        name: item.name,
        arguments: item.arguments,
      });
    } else {
      emit("response.output_item.added", { output_index: outputIndex, item });
    }
    emit("response.output_item.done", { output_index: outputIndex, item });
  }
  if (options.failure && !(await beforeDelta())) return;
  emit("response.completed", { response });
  res.end();
}

/** Splits text into word-sized deltas (whitespace kept with the word before it). */
function chunkText(text: string): string[] {
  const chunks = text.match(/\S+\s*|\s+/g);
  return chunks && chunks.length > 0 ? chunks : [""];
}
