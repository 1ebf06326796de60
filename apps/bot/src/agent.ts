import type { SdkUsage, SummaryOptions } from "@agents-memory/core";
import {
  Agent,
  connectMcpServers,
  type MCPServer,
  MCPServerStdio,
  type MCPServers,
  type Model,
  OpenAIChatCompletionsModel,
  OpenAIResponsesModel,
  Runner,
  type Session,
  setTracingDisabled,
  tool,
} from "@openai/agents";
import OpenAI from "openai";
import { z } from "zod";
import { type Config, DEFAULTS } from "./config";
import { DemoModel } from "./demo-model";
import type { Logger } from "./logger";

/** A small built-in tool, so tool turns are real even without MCP servers. */
export const currentTimeTool = tool({
  name: "current_time",
  description:
    "The current date and time. Pass an IANA time zone (e.g. Europe/Berlin) or null for UTC.",
  parameters: z.object({
    timezone: z.string().nullable().describe("IANA time zone name, or null for UTC"),
  }),
  execute: async ({ timezone }) => {
    const now = new Date();
    const zone = timezone || "UTC";
    try {
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        dateStyle: "full",
        timeStyle: "long",
      }).format(now);
      return `${local} (ISO ${now.toISOString()})`;
    } catch {
      return `Unknown time zone ${JSON.stringify(zone)}. UTC now: ${now.toISOString()}`;
    }
  },
});

export function createModel(config: Config["model"]): Model {
  if (config.demo) return new DemoModel();
  const client = new OpenAI({
    // Local OpenAI-compatible servers (Ollama, llama.cpp) accept any key.
    apiKey: config.apiKey ?? "not-needed",
    baseURL: config.baseURL,
    maxRetries: DEFAULTS.modelMaxRetries,
    // A stalled server would otherwise hold the chat (its turns run one at a time) for the
    // client's default of 10 minutes per attempt.
    timeout: config.timeoutMs,
  });
  return config.api === "chat"
    ? new OpenAIChatCompletionsModel(client, config.name)
    : new OpenAIResponsesModel(client, config.name);
}

export interface RunOptions {
  /**
   * Streams the run: called with the text of the model response being written, from its start,
   * each time it grows. A new response (after a tool call) starts over from "". Rejects as an
   * unstreamed run does when the model or the network fails mid-stream.
   */
  onText?: ((text: string) => void) | undefined;
  /** Called once the run completed, with its usage (the SDK's `result.state.usage`). */
  onUsage?: ((usage: SdkUsage) => void) | undefined;
}

export interface AgentRuntime {
  /** Runs one turn with the session's memory; resolves with the final text. */
  run(input: string, session: Session, options?: RunOptions): Promise<string>;
  /** The sessions' `summary` option (the bot's model, the library's instructions), when on. */
  summary?: SummaryOptions | undefined;
  close(): Promise<void>;
}

/**
 * Builds the agent from config: the model (OpenAI Responses or Chat Completions, any
 * compatible base URL, or the demo model), the built-in tool, and the MCP servers of
 * MCP_SERVERS_FILE, each connected within the timeout; one that fails is logged and skipped.
 */
export async function createAgentRuntime(config: Config, logger: Logger): Promise<AgentRuntime> {
  // Never export traces on our own: the bot only talks to the servers it is configured for.
  setTracingDisabled(true);
  const model = createModel(config.model);

  let mcp: MCPServers | undefined;
  let mcpServers: MCPServer[] = [];
  if (config.agent.mcpServers.length > 0) {
    const servers = config.agent.mcpServers.map(
      (server) =>
        new MCPServerStdio({
          name: server.name,
          command: server.command,
          args: server.args,
          ...(server.env ? { env: { ...inheritedEnv(), ...server.env } } : {}),
          ...(server.cwd ? { cwd: server.cwd } : {}),
          cacheToolsList: true,
        }),
    );
    mcp = await connectMcpServers(servers, {
      connectTimeoutMs: config.agent.mcpConnectTimeoutMs,
      dropFailed: true,
      strict: false,
      connectInParallel: true,
    });
    for (const [server, error] of mcp.errors) {
      logger.error(
        { mcp_server: server.name, err: error },
        "MCP server failed to connect; skipped",
      );
    }
    mcpServers = mcp.active;
    if (mcpServers.length > 0) {
      logger.info({ mcp_servers: mcpServers.map((s) => s.name) }, "MCP servers connected");
    }
  }

  const agent = new Agent({
    name: config.agent.name,
    instructions: config.agent.instructions,
    model,
    tools: [currentTimeTool],
    mcpServers,
  });
  const runner = new Runner({ tracingDisabled: true, workflowName: "telegram-bot" });
  // The summary of what leaves the window is written by the bot's own model.
  const summary = config.memory.summary
    ? { model, runner: new Runner({ tracingDisabled: true, workflowName: "telegram-bot-summary" }) }
    : undefined;

  return {
    summary,
    async run(input, session, options = {}) {
      const { onText, onUsage } = options;
      if (!onText) {
        const result = await runner.run(agent, input, { session, maxTurns: 10 });
        onUsage?.(result.state.usage);
        return outputText(result.finalOutput);
      }
      const result = await runner.run(agent, input, { session, maxTurns: 10, stream: true });
      // Awaited below; a failure during the loop must not also surface as unhandled.
      result.completed.catch(() => {});
      let text = "";
      for await (const event of result) {
        if (event.type !== "raw_model_stream_event") continue;
        if (event.data.type === "response_started") {
          text = "";
        } else if (event.data.type === "output_text_delta") {
          text += event.data.delta;
          onText(text);
        }
      }
      await result.completed;
      if (result.error) throw result.error;
      onUsage?.(result.state.usage);
      return outputText(result.finalOutput);
    },
    async close() {
      await mcp?.close();
    },
  };
}

function outputText(output: unknown): string {
  return typeof output === "string" ? output : JSON.stringify(output ?? "");
}

/** What a stdio MCP server needs to find its interpreter when `env` is given explicitly. */
function inheritedEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "USER", "LANG", "TMPDIR", "SystemRoot", "APPDATA"];
  const out: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value) out[key] = value;
  }
  return out;
}
