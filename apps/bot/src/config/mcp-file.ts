import { readFileSync } from "node:fs";
import { z } from "zod";
import { resolveFromStartDir } from "./env-files";
import type { McpServerConfig } from "./types";

const mcpFileSchema = z.object({
  mcpServers: z.record(
    z.string(),
    z.object({
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      env: z.record(z.string(), z.string()).optional(),
      cwd: z.string().optional(),
    }),
  ),
});

/** The stdio MCP servers of MCP_SERVERS_FILE, in the usual `mcpServers` JSON shape. */
export function readMcpServers(path: string, problems: string[]): McpServerConfig[] {
  const file = resolveFromStartDir(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    problems.push(`MCP_SERVERS_FILE: cannot read ${file} as JSON (${(error as Error).message})`);
    return [];
  }
  const parsed = mcpFileSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "root"}: ${issue.message}`)
      .join("; ");
    problems.push(
      `MCP_SERVERS_FILE: ${file} must be {"mcpServers": {"<name>": {"command": "...", "args": [...], "env": {...}}}} (${where})`,
    );
    return [];
  }
  return Object.entries(parsed.data.mcpServers).map(([name, server]) => ({
    name,
    command: server.command,
    args: server.args,
    ...(server.env ? { env: server.env } : {}),
    ...(server.cwd ? { cwd: resolveFromStartDir(server.cwd) } : {}),
  }));
}
