import type { CliFlags } from "./cli";
import { DEFAULTS, DEMO_MODEL } from "./defaults";
import type { Env } from "./schema";
import type { Config } from "./types";

/** The model settings, and whether the offline demo model stands in. */
export function resolveModel(
  env: Env,
  flags: CliFlags,
  transport: Config["transport"],
  problems: string[],
  /** Variables already reported invalid: set, so not "missing". */
  invalid: ReadonlySet<string> = new Set(),
): Config["model"] {
  const requested = flags.demo || env.OPENAI_MODEL === DEMO_MODEL;
  const configured = Boolean(
    env.OPENAI_API_KEY || env.OPENAI_BASE_URL || invalid.has("OPENAI_BASE_URL"),
  );
  // The demo model is only ever chosen on its own when nothing at all is configured and the
  // bot runs in the terminal: a fresh checkout. A deployment never falls back to it.
  const unconfigured = !requested && !configured && transport === "console";
  if (!requested && !configured && transport === "telegram") {
    problems.push(
      "OPENAI_API_KEY: required (an OpenAI API key), or set OPENAI_BASE_URL to an OpenAI-compatible server such as Ollama (http://localhost:11434/v1) or llama.cpp (http://localhost:8080/v1); OPENAI_MODEL=demo selects the offline demo model",
    );
  }
  const demo = requested || unconfigured;
  return {
    name: demo ? DEMO_MODEL : env.OPENAI_MODEL,
    demo,
    demoReason: requested ? "requested" : unconfigured ? "unconfigured" : undefined,
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    api: env.OPENAI_API,
    timeoutMs: env.OPENAI_TIMEOUT_MS,
  };
}

/** The OpenAI client's waits between attempts when the server names none: 0.5 s, then 1 s. */
const RETRY_BACKOFF_MS = 1_500;

/**
 * The longest one model request can take: every attempt (the first and the client's retries)
 * running into OPENAI_TIMEOUT_MS, plus the backoff between them. A turn makes one request, or
 * more when the agent calls tools.
 */
export function longestModelRequestMs(timeoutMs: number): number {
  return timeoutMs * (DEFAULTS.modelMaxRetries + 1) + RETRY_BACKOFF_MS;
}
