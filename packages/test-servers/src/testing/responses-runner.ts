import { OpenAIProvider, Runner, setTracingDisabled } from "@openai/agents";
import { type ResponsesServer, startResponsesServer } from "../openai";

/** The local Responses API server and the SDK's `Runner` that talks to it. */
export interface ResponsesRunner {
  /** The local server: script its answers, read its requests; `server.close()` stops it. */
  server: ResponsesServer;
  /** The SDK's `Runner` on the Responses API at `server.baseURL`, model "gpt-test", no tracing. */
  runner: Runner;
}

/**
 * Starts the local Responses API server and builds the `Runner` the end-to-end tests run their
 * agents with. Tracing is turned off for the whole process (there is nowhere to send traces).
 * With `env: true` it also points `OPENAI_API_KEY` and `OPENAI_BASE_URL` at the server, for the
 * SDK parts that build their own client (`OpenAIResponsesCompactionSession`). The caller stops
 * the server with `server.close()`.
 */
export async function startResponsesRunner(
  options: { env?: boolean } = {},
): Promise<ResponsesRunner> {
  setTracingDisabled(true);
  const server = await startResponsesServer();
  if (options.env) {
    process.env.OPENAI_API_KEY = server.apiKey;
    process.env.OPENAI_BASE_URL = server.baseURL;
  }
  const runner = new Runner({
    tracingDisabled: true,
    modelProvider: new OpenAIProvider({
      apiKey: server.apiKey,
      baseURL: server.baseURL,
      useResponses: true,
    }),
    model: "gpt-test",
  });
  return { server, runner };
}
