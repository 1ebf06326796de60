import { fileURLToPath } from "node:url";
import { silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { startResponsesServer } from "@agents-memory/test-servers/openai";
import { runCommand } from "@agents-memory/test-servers/process";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { UpstashStore } from "@agents-memory/upstash";
import type { AgentInputItem } from "@openai/agents";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { moveConversation } from "../src/move-conversation";

/*
 * Two databases, as in production: a Redis (REDIS_URL) and, behind the local Upstash-protocol
 * server, another redis-server, so a move really crosses from one to the other.
 */

const redis = await startRedisServer();
const upstashRedis = await startRedisServer();
const upstash = await startUpstashServer({ redisPort: upstashRedis.port });
const openai = await startResponsesServer();
const directRedis = new Redis(redis.url);
const directUpstash = new Redis(upstashRedis.url);
afterAll(async () => {
  directRedis.disconnect();
  directUpstash.disconnect();
  await openai.close();
  await upstash.close();
  await upstashRedis.stop();
  await redis.stop();
});

/** `pnpm start` in this example, against the servers above. */
const pnpmStart = (env: Record<string, string> = {}) =>
  runCommand("pnpm", ["--silent", "start"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: {
      REDIS_URL: redis.url,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MODEL: "gpt-test",
      OPENAI_AGENTS_DISABLE_TRACING: "1",
      ...env,
    },
  });

test("pnpm start: the conversation moves memory -> Redis -> Upstash and goes on there", async () => {
  openai.script({ text: "Hello Ann." }, { text: "You are Ann." });
  const { code, stdout, stderr } = await pnpmStart();
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  expect(stdout).toBe(
    [
      "memory:  chat:ann holds 2 items; the agent said: Hello Ann.",
      "redis:   chat:ann holds 2 items (memory: 0)",
      "upstash: chat:ann holds 2 items (redis: 0)",
      "upstash: chat:ann holds 4 items; the agent said: You are Ann.",
      "",
    ].join("\n"),
  );
  // The model was sent the history that travelled through both moves.
  expect(openai.requests[1].input.map((item: any) => item.role)).toEqual([
    "user",
    "assistant",
    "user",
  ]);
  expect(await directRedis.exists("chat:ann")).toBe(0);
  const kept = (await directUpstash.lrange("chat:ann", 0, -1)).map((text) => JSON.parse(text));
  expect(kept.map((item) => item.content?.[0]?.text ?? item.content)).toEqual([
    "Hi, I am Ann.",
    "Hello Ann.",
    "What is my name?",
    "You are Ann.",
  ]);
});

test("pnpm start onto a conversation already in the target: nothing overwritten, and the way out is printed", async () => {
  await directUpstash.rpush(
    "chat:dora",
    JSON.stringify({ role: "user", content: "an earlier run" }),
  );
  openai.script({ text: "Hello." });
  const { code, stdout, stderr } = await pnpmStart({ SESSION_ID: "dora" });
  expect({ code, stdout, stderr }).toEqual({
    code: 1,
    stdout: [
      "memory:  chat:dora holds 2 items; the agent said: Hello.",
      "redis:   chat:dora holds 2 items (memory: 0)",
      "",
    ].join("\n"),
    stderr:
      "moving chat:dora: the target already holds 1 other items; nothing there was changed. Start another conversation: SESSION_ID=<name> pnpm --filter @agents-memory/example-move-stores start\n",
  });
  expect(await directUpstash.lrange("chat:dora", 0, -1)).toEqual([
    JSON.stringify({ role: "user", content: "an earlier run" }),
  ]);
  expect(await directRedis.llen("chat:dora")).toBe(2);
});

test("moveConversation: every item arrives unchanged (tool calls too), under the same key, with the TTL asked for", async () => {
  const from = new IoRedisStore({ url: redis.url, logger: silentLogger });
  const to = new UpstashStore({ url: upstash.url, token: upstash.token, logger: silentLogger });
  const items = [
    { role: "user", content: "weather in Paris?" },
    { type: "function_call", callId: "c1", name: "weather", arguments: '{"city":"Paris"}' },
    {
      type: "function_call_result",
      callId: "c1",
      name: "weather",
      status: "completed",
      output: { type: "text", text: "sunny" },
    },
    {
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: "Sunny, «18 °C»." }],
    },
  ] as AgentInputItem[];
  await from.replace("support:t-1", items, 0);
  try {
    expect(await moveConversation(from, to, "support:t-1", 3600)).toBe(4);
    expect(await to.read("support:t-1")).toEqual(items);
    expect(await from.read("support:t-1")).toEqual([]);
    expect(await directUpstash.ttl("support:t-1")).toBeGreaterThan(3500);

    // Nothing left to move: the target keeps its copy.
    expect(await moveConversation(from, to, "support:t-1")).toBe(0);
    expect(await to.read("support:t-1")).toEqual(items);

    // Another conversation already under the key in the target: nothing is overwritten or lost.
    await from.replace("support:t-1", [items[0]!], 0);
    await expect(moveConversation(from, to, "support:t-1")).rejects.toThrow(
      "moving support:t-1: the target already holds 4 other items",
    );
    expect(await to.read("support:t-1")).toEqual(items);
    expect(await from.read("support:t-1")).toEqual([items[0]]);

    // A move that stopped after the copy (before the clear) finishes when run again.
    await to.replace("support:t-2", items, 0);
    await from.replace("support:t-2", items, 0);
    expect(await moveConversation(from, to, "support:t-2")).toBe(4);
    expect(await from.read("support:t-2")).toEqual([]);
    expect(await to.read("support:t-2")).toEqual(items);
  } finally {
    await from.close();
    await to.close();
  }
});
