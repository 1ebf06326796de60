import { type Model, type ModelRequest, type ModelResponse, Usage } from "@openai/agents";

/**
 * A `Model` (the SDK's interface) that answers "seen: <texts of its input>" and records every
 * request, so a test sees exactly what history reached the model.
 */
export class EchoModel implements Model {
  readonly requests: ModelRequest[] = [];
  #turn = 0;

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const turn = ++this.#turn;
    return {
      output: [
        {
          type: "message",
          role: "assistant",
          id: `msg_${turn}`,
          status: "completed",
          content: [{ type: "output_text", text: `seen: ${inputTexts(request).join(" | ")}` }],
        },
      ],
      usage: new Usage(),
      responseId: `resp_${turn}`,
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not used by these tests
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error("EchoModel does not stream");
  }
}

export function inputTexts(request: ModelRequest): string[] {
  const input =
    typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input;
  return input.map((item: any) =>
    typeof item.content === "string"
      ? item.content
      : (item.content ?? []).map((part: any) => part.text ?? "").join(""),
  );
}
