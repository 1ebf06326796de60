// A minimal MCP server over stdio (newline-delimited JSON-RPC 2.0) with one tool, `shout`,
// for the bot's MCP end-to-end test. No dependencies: it speaks the protocol directly.
import { createInterface } from "node:readline";

const send = (message) =>
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);

const tools = [
  {
    name: "shout",
    description: "Returns the text in capital letters.",
    inputSchema: {
      type: "object",
      properties: { text: { type: "string" } },
      required: ["text"],
      additionalProperties: false,
    },
  },
];

createInterface({ input: process.stdin }).on("line", (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    return;
  }
  const { id, method, params } = request;
  if (id === undefined) return; // notifications (e.g. notifications/initialized)
  switch (method) {
    case "initialize":
      return send({
        id,
        result: {
          protocolVersion: params?.protocolVersion ?? "2025-06-18",
          capabilities: { tools: {} },
          serverInfo: { name: "shout", version: "1.0.0" },
        },
      });
    case "ping":
      return send({ id, result: {} });
    case "tools/list":
      return send({ id, result: { tools } });
    case "tools/call":
      if (params?.name !== "shout") {
        return send({ id, error: { code: -32602, message: `unknown tool ${params?.name}` } });
      }
      return send({
        id,
        result: {
          content: [{ type: "text", text: String(params.arguments?.text ?? "").toUpperCase() }],
        },
      });
    default:
      return send({ id, error: { code: -32601, message: `method not found: ${method}` } });
  }
});
