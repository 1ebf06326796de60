/** Whether (and where) the Responses API rejected a request because of an input item. */

/**
 * True when the Responses API rejected the request because of an input item: a 400
 * `invalid_request_error` whose `param` names one (`input[3]`, `input[3].id`), or whose message
 * is one of the API's item checks with `param: "input"` ("Item 'rs_…' of type 'reasoning' was
 * provided without its required following item.", "No tool call found for function call
 * output with call_id …", "No tool output found for function call …").
 */
export function rejectsInputItem(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const e = error as { status?: unknown; type?: unknown; param?: unknown; message?: unknown };
  if (e.status !== 400 || e.type !== "invalid_request_error") return false;
  if (typeof e.param === "string" && /^input\[\d+\]/.test(e.param)) return true;
  const text = typeof e.message === "string" ? e.message : "";
  return /\binput\[\d+\]|\bItem '[^']*' of type '[^']*' was provided without|\bNo tool (?:call|output) found for\b/.test(
    text,
  );
}

/** The index of the input item a rejection names (`input[3]`, `input[3].id`), if it names one. */
export function rejectedInputIndex(error: unknown): number | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const { param, message } = error as { param?: unknown; message?: unknown };
  for (const text of [param, message]) {
    const match = typeof text === "string" ? /\binput\[(\d+)\]/.exec(text) : null;
    if (match) return Number(match[1]);
  }
  return undefined;
}
