/**
 * The answers `pnpm dev-servers` gives, so every example runs without a real model: a plain,
 * predictable stand-in, not a language model.
 */

import { lastUserText } from "../openai/response";
import type { ScriptStep } from "../openai/types";

/**
 * - The last input item is a tool's output: `The tool said: <output>`.
 * - The request offers a function tool whose name's words all appear in the last user message
 *   (`cancel_order` in "Please cancel my order 1042"): a call of that tool, each string
 *   parameter set to the message's first number (or the whole message when it has none).
 * - Anything else: `echo: <the last user message>`.
 */
export function devModel(body: any): ScriptStep {
  const input: any[] = Array.isArray(body.input) ? body.input : [];
  const last = input.at(-1);
  if (last?.type === "function_call_output") {
    return { text: `The tool said: ${outputText(last.output)}` };
  }
  const message = lastUserText(body.input);
  const words = message.toLowerCase();
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (tool?.type !== "function" || typeof tool.name !== "string") continue;
    const named = tool.name
      .toLowerCase()
      .split(/[_\W]+/)
      .every((word: string) => word === "" || words.includes(word));
    if (named) return { toolCall: { name: tool.name, arguments: toolArguments(tool, message) } };
  }
  return { text: `echo: ${message}` };
}

function toolArguments(tool: any, message: string): Record<string, string> {
  const value = /\d+/.exec(message)?.[0] ?? message;
  const properties = tool.parameters?.properties ?? {};
  const args: Record<string, string> = {};
  for (const [name, schema] of Object.entries<any>(properties)) {
    if (schema?.type === "string") args[name] = value;
  }
  return args;
}

function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return output.map((part: any) => part?.text ?? "").join("");
  return JSON.stringify(output);
}
