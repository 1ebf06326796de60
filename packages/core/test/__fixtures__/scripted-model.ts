import { type Model, type ModelRequest, type ModelResponse, Usage } from "@openai/agents";

export type Step =
  | { text: string; id?: string }
  | { toolCall: { name: string; arguments: string; callId: string } }
  | { output: ModelResponse["output"] };

/**
 * A `Model` (the SDK's interface, not a session subclass) that answers from a script and
 * records every request, so tests assert exactly what the model saw.
 */
export class ScriptedModel implements Model {
  readonly requests: ModelRequest[] = [];
  #steps: Step[] = [];
  #counter = 0;

  script(...steps: Step[]): this {
    this.#steps.push(...steps);
    return this;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const step = this.#steps.shift() ?? { text: "default answer" };
    const n = ++this.#counter;
    let output: ModelResponse["output"];
    if ("text" in step) {
      output = [
        {
          type: "message",
          role: "assistant",
          id: step.id ?? `msg_${n}`,
          status: "completed",
          content: [{ type: "output_text", text: step.text }],
        },
      ];
    } else if ("toolCall" in step) {
      output = [
        {
          type: "function_call",
          id: `fc_${n}`,
          callId: step.toolCall.callId,
          name: step.toolCall.name,
          arguments: step.toolCall.arguments,
          status: "completed",
        },
      ];
    } else {
      output = step.output;
    }
    return { output, usage: new Usage(), responseId: `resp_${n}` };
  }

  // biome-ignore lint/correctness/useYield: streaming is not used by these tests
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error("ScriptedModel does not stream");
  }
}

/** The texts of the input items a request carried (user strings and assistant output_text). */
export function inputTexts(request: ModelRequest): string[] {
  const input =
    typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input;
  return input.map((item: any) => {
    if (typeof item.content === "string") return `${item.role}:${item.content}`;
    if (Array.isArray(item.content))
      return `${item.role}:${item.content.map((p: any) => p.text).join("")}`;
    return `<${item.type}>`;
  });
}
