import type { CliFlags } from "./cli";
import { DEMO_MODEL } from "./defaults";
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
