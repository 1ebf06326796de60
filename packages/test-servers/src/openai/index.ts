/**
 * A local OpenAI Responses API server for end-to-end tests: the real `openai` client (and the
 * Agents SDK's OpenAIResponsesModel over it) talks to it with `baseURL`. It answers from a
 * script, records every request body, and speaks the API's shapes: the response object,
 * `message` / `function_call` output items, SSE streaming events, and `{ error: { message,
 * type, param, code } }` errors.
 */

export { lastUserText } from "./response";
export { startResponsesServer } from "./server";
export { factKeepingSummary } from "./summarizer";
export type { ResponsesServer, ResponsesServerOptions, ScriptStep } from "./types";
