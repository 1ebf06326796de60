import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local OpenAI Responses API server for end-to-end tests: the real `openai` client (and the
 * Agents SDK's OpenAIResponsesModel over it) talks to it with `baseURL`. It answers from a
 * script, records every request body, and speaks the API's shapes: the response object,
 * `message` / `function_call` output items, SSE streaming events, and `{ error: { message,
 * type, param, code } }` errors.
 */

export type ScriptStep =
  /** An assistant message. */
  | { text: string }
  /** A function_call output item (arguments: a JSON string, or an object to serialize). */
  | { toolCall: { name: string; arguments: string | object; callId?: string } }
  /** Raw output items, for anything else (several items, reasoning, refusals...). */
  | { output: any[] }
  /** An HTTP error response; body defaults to OpenAI's error for that status. */
  | { error: { status: number; body?: any; headers?: Record<string, string> } }
  /** Answer `then` after `delayMs`. */
  | { delayMs: number; then: ScriptStep };

export interface ResponsesServerOptions {
  /** The only key accepted (Authorization: Bearer <key>). Default "test-key". */
  apiKey?: string;
  /** The model GET /v1/models lists. Default "gpt-test". */
  model?: string;
  /** Port on 127.0.0.1; default a free one chosen by the OS. */
  port?: number;
  /**
   * Reject inputs the real API rejects with 400 (default true): a function_call_output
   * without its function_call, a function_call without its output, and assistant message /
   * function_call items whose `id` lacks the "msg" / "fc" prefix (e.g. "__fake_id__"); and,
   * as the real API does for the items it stored, a reasoning item it produced without the
   * item that followed it, or that item without its reasoning item.
   */
  validateInput?: boolean;
}

export interface ResponsesServer {
  /** "http://127.0.0.1:<port>/v1" — pass to `new OpenAI({ apiKey, baseURL })`. */
  baseURL: string;
  /** The key it accepts; a wrong or missing key gets a 401 in OpenAI's shape. */
  apiKey: string;
  /** Queues steps; each POST /v1/responses consumes one (an error attempt consumes one too). */
  script(...steps: ScriptStep[]): void;
  /** Decides per request when the queue is empty (instead of the echo default). */
  respondWith(fn: ((body: any) => ScriptStep) | undefined): void;
  /** Every POST /v1/responses body received, parsed, in order (errors included). */
  requests: any[];
  /** The response objects returned (non-streaming bodies or the `response.completed` one). */
  responses: any[];
  /** Steps still queued. */
  pending(): number;
  waitForRequests(count: number, timeoutMs?: number): Promise<any[]>;
  close(): Promise<void>;
}

export async function startResponsesServer(
  options: ResponsesServerOptions = {},
): Promise<ResponsesServer> {
  const apiKey = options.apiKey ?? "test-key";
  const model = options.model ?? "gpt-test";
  const validate = options.validateInput ?? true;
  const pairs: ReasoningPairs = { followerOf: new Map(), reasoningOf: new Map() };
  const queue: ScriptStep[] = [];
  let decide: ((body: any) => ScriptStep) | undefined;
  const requests: any[] = [];
  const responses: any[] = [];
  const listeners = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let closed: Promise<void> | undefined;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    if (!url.pathname.startsWith("/v1/")) {
      return sendError(res, 404, invalidUrl(method, url.pathname));
    }
    const auth = req.headers.authorization;
    if (!auth) {
      return sendError(res, 401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        type: "invalid_request_error",
        param: null,
        code: null,
      });
    }
    const given = /^Bearer\s+(.*)$/i.exec(auth)?.[1]?.trim() ?? "";
    if (given !== apiKey) {
      return sendError(res, 401, {
        message: `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      });
    }

    if (method === "GET" && url.pathname === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [modelObject(model)] });
    }
    if (method === "GET" && url.pathname.startsWith("/v1/models/")) {
      const id = decodeURIComponent(url.pathname.slice("/v1/models/".length));
      if (id === model) return sendJson(res, 200, modelObject(model));
      return sendError(res, 404, {
        message: `The model '${id}' does not exist or you do not have access to it.`,
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      });
    }
    if (method !== "POST" || url.pathname !== "/v1/responses") {
      return sendError(res, 404, invalidUrl(method, url.pathname));
    }

    let body: any;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendError(res, 400, {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        type: "invalid_request_error",
        param: null,
        code: null,
      });
    }
    requests.push(body);
    notify();

    if (!body || typeof body !== "object" || typeof body.model !== "string" || !body.model) {
      return sendError(res, 400, {
        message: "Missing required parameter: 'model'.",
        type: "invalid_request_error",
        param: "model",
        code: "missing_required_parameter",
      });
    }
    if (validate) {
      const problem = inputProblem(body, pairs);
      if (problem) return sendError(res, 400, problem);
    }

    let step: ScriptStep = queue.shift() ??
      decide?.(body) ?? { text: `echo: ${lastUserText(body.input)}` };
    while ("delayMs" in step) {
      const delay = step.delayMs;
      const aborted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          res.off("close", onClose);
          resolve(false);
        }, delay);
        const onClose = () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve(true);
        };
        timers.add(timer);
        res.once("close", onClose);
      });
      if (aborted || closed) return;
      step = step.then;
    }

    if ("error" in step) {
      const status = step.error.status;
      const errorBody = step.error.body ?? { error: defaultError(status) };
      return sendJson(res, status, errorBody, step.error.headers);
    }

    const output = outputItems(step);
    rememberReasoningPairs(output, pairs);
    const response = responseObject(body, output);
    responses.push(response);
    if (body.stream === true) return sendStream(res, response);
    return sendJson(res, 200, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) {
        sendError(res, 500, { ...defaultError(500), message: String(error) });
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    responses,
    script: (...steps) => {
      queue.push(...steps);
    },
    respondWith: (fn) => {
      decide = fn;
    },
    pending: () => queue.length,
    waitForRequests: (count, timeoutMs = 10_000) =>
      new Promise<any[]>((resolve, reject) => {
        const check = () => {
          if (requests.length >= count) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(requests.slice());
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `waitForRequests(${count}) timed out after ${timeoutMs} ms with ${requests.length} request(s)`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    close: () => {
      if (closed) return closed;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shapes

const newId = (prefix: string) => `${prefix}_${randomBytes(24).toString("hex")}`;

function modelObject(id: string) {
  return { id, object: "model", created: 1_700_000_000, owned_by: "openai" };
}

function outputItems(step: Exclude<ScriptStep, { error: unknown } | { delayMs: number }>): any[] {
  if ("text" in step) {
    return [
      {
        id: newId("msg"),
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: step.text, annotations: [], logprobs: [] }],
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

function responseObject(body: any, output: any[]) {
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

interface ApiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function defaultError(status: number): ApiErrorBody {
  switch (status) {
    case 400:
      return {
        message: "Invalid request.",
        type: "invalid_request_error",
        param: null,
        code: null,
      };
    case 401:
      return {
        message: "Incorrect API key provided.",
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      };
    case 403:
      return {
        message: "You are not allowed to sample from this model",
        type: "invalid_request_error",
        param: null,
        code: null,
      };
    case 404:
      return {
        message: "The model does not exist or you do not have access to it.",
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      };
    case 429:
      return {
        message: "Rate limit reached for requests. Please try again in 1s.",
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      };
    case 503:
      return {
        message: "The server is overloaded or not ready yet.",
        type: "server_error",
        param: null,
        code: null,
      };
    default:
      return {
        message:
          status >= 500
            ? "The server had an error while processing your request. Sorry about that!"
            : `Request failed with status ${status}.`,
        type: status >= 500 ? "server_error" : "invalid_request_error",
        param: null,
        code: null,
      };
  }
}

function invalidUrl(method: string, path: string): ApiErrorBody {
  return {
    message: `Invalid URL (${method} ${path})`,
    type: "invalid_request_error",
    param: null,
    code: null,
  };
}

function maskKey(key: string): string {
  if (key.length <= 8) return "*".repeat(key.length);
  return `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

/** The 400s the real API gives for inputs a conversation store can get wrong. */
/** Each reasoning item this server produced and the item right after it, both ways, by id. */
interface ReasoningPairs {
  followerOf: Map<string, string>;
  reasoningOf: Map<string, string>;
}

function rememberReasoningPairs(output: any[], pairs: ReasoningPairs): void {
  for (const [index, item] of output.entries()) {
    const next = output[index + 1];
    if (item?.type === "reasoning" && typeof item.id === "string" && typeof next?.id === "string") {
      pairs.followerOf.set(item.id, next.id);
      pairs.reasoningOf.set(next.id, item.id);
    }
  }
}

function inputProblem(body: any, pairs: ReasoningPairs): ApiErrorBody | undefined {
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

// ---------------------------------------------------------------------------------------------
// Wire

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function commonHeaders(): Record<string, string> {
  return {
    "x-request-id": newId("req").slice(0, 36),
    "openai-processing-ms": "1",
    "openai-version": "2020-10-01",
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...commonHeaders(),
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, error: ApiErrorBody) {
  sendJson(res, status, { error });
}

/** Streams a finished response as the Responses API's server-sent events. */
function sendStream(res: ServerResponse, response: ReturnType<typeof responseObject>) {
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
