/** How deep a cause chain is followed; a longer one ends with `truncated: true`. */
const MAX_CAUSES = 5;

/**
 * An error as plain log fields, in the shape of pino's `errWithCause` serializer: `type` (the
 * class), `message`, `code` (a Node.js or API error code), `status` (an HTTP status: the
 * OpenAI client's `status`, the Bot API's `error_code`), `method` (the Bot API method),
 * `stack` (the outermost error only), and `cause`, the next error in the chain, the same way
 * (grammY's `HttpError` keeps it in `error`; an `AggregateError` lists its `errors`).
 * A value that is not an Error becomes `{ type, message }`.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  const top = ownFields(error, true);
  const seen = new Set<unknown>([error]);
  let tail = top;
  let cause = causeOf(error);
  for (let depth = 1; cause !== undefined && !seen.has(cause); depth++) {
    seen.add(cause);
    const next = ownFields(cause, false);
    tail.cause = next;
    tail = next;
    cause = causeOf(cause);
    if (depth === MAX_CAUSES && cause !== undefined) {
      tail.truncated = true;
      break;
    }
  }
  return top;
}

/** The next error in the chain: `cause`, or grammY's `HttpError.error`. */
function causeOf(error: unknown): unknown {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { cause?: unknown; error?: unknown };
  return e.cause ?? (e.name === "HttpError" ? e.error : undefined);
}

/** One error's own fields, without its cause. */
function ownFields(error: unknown, withStack: boolean): Record<string, unknown> {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: typeof error === "string" ? error : safeJson(error) };
  }
  const e = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { type: typeName(error), message: error.message };
  const code = e.code;
  if (typeof code === "string" || typeof code === "number") out.code = code;
  // OpenAI's APIError: `status`; grammY's GrammyError: `error_code` with the method called.
  const status = typeof e.status === "number" ? e.status : e.error_code;
  if (typeof status === "number") out.status = status;
  if (typeof e.method === "string") out.method = e.method;
  if (typeof e.requestID === "string") out.request_id = e.requestID;
  if (withStack && error.stack) out.stack = error.stack;
  if (error instanceof AggregateError && error.errors.length > 0) {
    out.errors = error.errors.map((inner) => ownFields(inner, false));
  }
  return out;
}

/** The class name: `name` when set, else the constructor's (OpenAI's errors leave `name` "Error"). */
function typeName(error: Error): string {
  if (error.name && error.name !== "Error") return error.name;
  return error.constructor?.name || "Error";
}

/** A thrown non-Error (rare) as text, cut so one odd value cannot flood a log line. */
function safeJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
