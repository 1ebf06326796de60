/** Streaming: a finished response replayed as the Responses API's server-sent events
 * (response.created ... response.completed), text and arguments in word-sized deltas. */

import type { ServerResponse } from "node:http";
import { commonHeaders } from "./http";
import type { responseObject } from "./response";

/** Streams a finished response as the Responses API's server-sent events. */
export function sendStream(res: ServerResponse, response: ReturnType<typeof responseObject>) {
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
  emit("response.created", { response: skeleton });
  emit("response.in_progress", { response: skeleton });
  response.output.forEach((item: any, outputIndex: number) => {
    if (item.type === "message") {
      emit("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, status: "in_progress", content: [] },
      });
      (item.content ?? []).forEach((part: any, contentIndex: number) => {
        const where = { item_id: item.id, output_index: outputIndex, content_index: contentIndex };
        if (part.type !== "output_text") {
          emit("response.content_part.added", { ...where, part });
          emit("response.content_part.done", { ...where, part });
          return;
        }
        emit("response.content_part.added", {
          ...where,
          part: { ...part, text: "", annotations: [], logprobs: [] },
        });
        for (const delta of chunkText(part.text)) {
          emit("response.output_text.delta", { ...where, delta, logprobs: [] });
        }
        emit("response.output_text.done", { ...where, text: part.text, logprobs: [] });
        emit("response.content_part.done", { ...where, part });
      });
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
  });
  emit("response.completed", { response });
  res.end();
}

/** Splits text into word-sized deltas (whitespace kept with the word before it). */
function chunkText(text: string): string[] {
  const chunks = text.match(/\S+\s*|\s+/g);
  return chunks && chunks.length > 0 ? chunks : [""];
}
