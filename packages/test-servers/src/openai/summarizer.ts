/** A scripted summariser for tests: it keeps the facts it is given, and nothing else. */

import { inputList } from "./compact";
import type { ScriptStep } from "./types";

/**
 * The answer of a summariser that keeps facts: every line of the request's input text (its
 * user messages) that contains "fact" (any case), once each, in order; "(nothing to keep)"
 * when none. A session's summariser is given the previous summary and the messages that left
 * the window, so a fact stated once is carried from summary to summary. Use it from
 * `respondWith` for the requests that are summaries (e.g. by their `instructions`).
 */
export function factKeepingSummary(body: any): ScriptStep {
  const lines = inputList(body?.input).flatMap((item) => {
    if (item?.role !== "user") return [];
    const text =
      typeof item.content === "string"
        ? item.content
        : Array.isArray(item.content)
          ? item.content
              .map((part: any) => (typeof part?.text === "string" ? part.text : ""))
              .join("")
          : "";
    return text.split("\n");
  });
  const facts = [...new Set(lines.filter((line) => /fact/i.test(line)).map((line) => line.trim()))];
  return { text: facts.length > 0 ? facts.join("\n") : "(nothing to keep)" };
}
