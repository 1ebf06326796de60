/** The server's script steps, options and handle. */

export type ScriptStep =
  /** An assistant message; streamed, its deltas `deltaDelayMs` apart (default: all at once). */
  | { text: string; deltaDelayMs?: number }
  /**
   * A streamed answer that fails mid-way: the first `afterDeltas` deltas of `text` (each
   * `deltaDelayMs` apart), then the connection cut (`"disconnect"`) or a `response.failed`
   * event (the model failing). A request that does not stream gets the connection cut.
   */
  | {
      streamFailure: {
        text: string;
        afterDeltas: number;
        deltaDelayMs?: number;
        how: "disconnect" | "response.failed";
      };
    }
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
   * Reject inputs the real API rejects with 400 (default true): a tool output (function,
   * computer, shell, apply_patch, program, tool_search, custom tool) without its call earlier
   * in the input, a function_call without its output, and assistant message /
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
  /**
   * Decides per request when the queue is empty (instead of the echo default); a request it
   * answers undefined gets the echo.
   */
  respondWith(fn: ((body: any) => ScriptStep | undefined) | undefined): void;
  /** Every POST /v1/responses body received, parsed, in order (errors included). */
  requests: any[];
  /** The response objects returned (non-streaming bodies or the `response.completed` one). */
  responses: any[];
  /**
   * Every POST /v1/responses/compact body received, parsed, in order. Compaction answers are
   * not scripted: the output is the conversation's user messages, then one `compaction` item
   * (as the API's `CompactedResponse`), whose `encrypted_content` is opaque.
   */
  compactions: any[];
  /** Steps still queued. */
  pending(): number;
  waitForRequests(count: number, timeoutMs?: number): Promise<any[]>;
  close(): Promise<void>;
}
