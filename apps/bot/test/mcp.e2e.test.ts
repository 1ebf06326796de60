import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { transcript, turns } from "./support/transcript";

const SHOUT_SERVER = join(
  dirname(fileURLToPath(import.meta.url)),
  "__fixtures__/mcp-shout-server.mjs",
);
const CHAT = -1004000000001;

describe("MCP servers from MCP_SERVERS_FILE", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  beforeAll(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
    const file = join(mkdtempSync(join(tmpdir(), "am-mcp-")), "mcp.json");
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          shout: { command: process.execPath, args: [SHOUT_SERVER] },
          missing: { command: "/nonexistent/mcp-server" },
          silent: { command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] },
        },
      }),
    );
    bot = await startBot(
      tg,
      ai,
      {
        MCP_SERVERS_FILE: file,
        MCP_CONNECT_TIMEOUT_MS: "1500",
      },
      { timeoutMs: 20_000 },
    );
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("a server that fails or does not answer in time is logged and skipped; the others connect", () => {
    const skipped = bot.logs
      .filter((l) => l.msg === "MCP server failed to connect; skipped")
      .map((l) => l.mcp_server)
      .sort();
    expect(skipped).toEqual(["missing", "silent"]);
    expect(bot.logs.find((l) => l.msg === "MCP servers connected")?.mcp_servers).toEqual(["shout"]);
  });

  test("the agent calls the MCP tool; its result reaches the model, not the memory", async () => {
    ai.script(
      { toolCall: { name: "shout", arguments: { text: "hello" } } },
      { text: "It said HELLO." },
    );
    const turn = await t().turn(CHAT, "/a shout hello");
    expect(turn.answer.text).toBe("It said HELLO.");
    const toolNames = turn.requests[0].tools.map((tool: any) => tool.name).sort();
    expect(toolNames).toEqual(["current_time", "shout"]);
    const output = turn.requests[1].input.find((i: any) => i.type === "function_call_output");
    expect(JSON.stringify(output.output)).toContain("HELLO");

    const next = await t().turn(CHAT, "thanks", { replyTo: turn.answer });
    expect(turns(next.requests[0])).toEqual([
      "user:Ann(ann): shout hello",
      "assistant:It said HELLO.",
      "user:Ann(ann): thanks",
    ]);
  });
});
