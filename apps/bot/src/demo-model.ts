import {
  type Model,
  type ModelRequest,
  type ModelResponse,
  type protocol,
  Usage,
} from "@openai/agents";

/** Every answer of the demo model starts with this, so nobody mistakes it for an AI. */
export const DEMO_PREFIX = "[demo]";

function textOf(item: unknown): string {
  const content = (item as { content?: unknown }).content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part as { text?: unknown }).text ?? "").join("");
  }
  return "";
}

function role(item: unknown): string | undefined {
  return (item as { role?: unknown }).role as string | undefined;
}

/**
 * The offline demo model: no network, no AI. It answers by describing what it received, so
 * the console shows reply-scoped memory at work (how many earlier messages the branch holds)
 * before any model is configured. Chosen only by `OPENAI_MODEL=demo`, `--demo`, or a console
 * start with nothing configured.
 */
export class DemoModel implements Model {
  #counter = 0;

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const { message, responseId } = this.#answer(request);
    return { output: [message], usage: new Usage(), responseId };
  }

  /** The same answer as one text delta, so a streamed turn (a private chat) works too. */
  async *getStreamedResponse(request: ModelRequest): AsyncIterable<protocol.StreamEvent> {
    const { message, responseId } = this.#answer(request);
    yield { type: "response_started" };
    yield { type: "output_text_delta", delta: message.content[0]!.text };
    yield {
      type: "response_done",
      response: {
        id: responseId,
        usage: { requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        output: [message],
      },
    };
  }

  #answer(request: ModelRequest): {
    message: protocol.AssistantMessageItem & { content: [protocol.OutputText] };
    responseId: string;
  } {
    const items =
      typeof request.input === "string"
        ? [{ role: "user", content: request.input }]
        : request.input;
    const users = items.filter((item) => role(item) === "user").map(textOf);
    const last = users.at(-1) ?? "";
    // The new message is the last line group: "Name(username): text" after any quote.
    const question = (last.split("\n\n").at(-1) ?? "").replace(/^[^:\n]*: /, "");
    const earlier = items.length - 1;
    const lines = [`${DEMO_PREFIX} You said: "${clip(question)}".`];
    if (earlier === 0) {
      lines.push(
        "This is a new conversation: reply to this message to continue it.",
        "I am the offline demo model, not an AI: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server, to talk to a real one.",
      );
    } else {
      lines.push(
        `I remember ${earlier} earlier message${earlier === 1 ? "" : "s"} in this branch; it started with "${clip(users[0]!.replace(/^[^:\n]*: /, ""))}".`,
      );
    }
    const n = ++this.#counter;
    return {
      message: {
        type: "message",
        role: "assistant",
        id: `demo_${n}`,
        status: "completed",
        content: [{ type: "output_text", text: lines.join("\n") }],
      },
      responseId: `demo_resp_${n}`,
    };
  }
}

function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
