import type { Transformer } from "grammy";

/**
 * `transformer` for every Bot API call but sendMessageDraft. A draft is not retried (neither
 * after a 429 nor after a network failure): by the time a retry could go, a newer text is
 * waiting, and the draft stream waits out `retry_after` itself (draft-stream.ts).
 */
export function exceptDrafts(transformer: Transformer): Transformer {
  return (prev, method, payload, signal) =>
    method === "sendMessageDraft"
      ? prev(method, payload, signal)
      : transformer(prev, method, payload, signal);
}
