import { readFileSync } from "node:fs";
import { DEFAULTS } from "./defaults";
import { resolveFromStartDir } from "./env-files";
import type { Env } from "./schema";

/** AGENT_INSTRUCTIONS (`\n` for new lines), AGENT_INSTRUCTIONS_FILE, or the default prompt. */
export function resolveInstructions(env: Env, problems: string[]): string {
  if (env.AGENT_INSTRUCTIONS && env.AGENT_INSTRUCTIONS_FILE) {
    problems.push("AGENT_INSTRUCTIONS and AGENT_INSTRUCTIONS_FILE: set one of them, not both");
    return "";
  }
  if (env.AGENT_INSTRUCTIONS_FILE) {
    const file = resolveFromStartDir(env.AGENT_INSTRUCTIONS_FILE);
    try {
      const text = readFileSync(file, "utf8").trim();
      if (!text) problems.push(`AGENT_INSTRUCTIONS_FILE: ${file} is empty`);
      return text;
    } catch (error) {
      problems.push(`AGENT_INSTRUCTIONS_FILE: cannot read ${file} (${(error as Error).message})`);
      return "";
    }
  }
  return env.AGENT_INSTRUCTIONS?.replace(/\\n/g, "\n") ?? DEFAULTS.instructions;
}
