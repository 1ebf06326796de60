import { fileURLToPath } from "node:url";
import { startResponsesServer } from "@agents-memory/test-servers/openai";
import { startCommand } from "@agents-memory/test-servers/process";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { build } from "esbuild";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";

/*
 * The handler as a platform calls it (a Request in, a Response out), then through the README's
 * `pnpm start`; Upstash is the local Upstash-protocol server in front of a real redis-server.
 */

const redis = await startRedisServer();
const upstash = await startUpstashServer({ redisPort: redis.port });
const openai = await startResponsesServer();
const direct = new Redis(redis.url);
afterAll(async () => {
  direct.disconnect();
  await openai.close();
  await upstash.close();
  await redis.stop();
});

// What a platform's environment holds; the handler module reads it when it is loaded.
const env = {
  UPSTASH_REDIS_REST_URL: upstash.url,
  UPSTASH_REDIS_REST_TOKEN: upstash.token,
  OPENAI_API_KEY: openai.apiKey,
  OPENAI_BASE_URL: openai.baseURL,
  OPENAI_MODEL: "gpt-test",
  OPENAI_AGENTS_DISABLE_TRACING: "1",
};
Object.assign(process.env, env);
const { default: handler } = await import("../src/handler");

const post = (body: unknown) =>
  new Request("https://example.com/api/chat", { method: "POST", body: JSON.stringify(body) });

test("the handler answers and keeps the conversation in Upstash, with its TTL", async () => {
  openai.script({ text: "Hello Ann." }, { text: "You are Ann." });
  const first = await handler(post({ sessionId: "ann", message: "I am Ann" }));
  expect(first.status).toBe(200);
  expect(await first.json()).toEqual({ answer: "Hello Ann." });

  // A later request (on a platform: maybe another instance) continues the same conversation.
  const second = await handler(post({ sessionId: "ann", message: "Who am I?" }));
  expect(await second.json()).toEqual({ answer: "You are Ann." });
  expect(openai.requests.at(-1).input.map((item: any) => item.role)).toEqual([
    "user",
    "assistant",
    "user",
  ]);
  expect(await direct.llen("chat:ann")).toBe(4);
  const ttl = await direct.ttl("chat:ann");
  expect(ttl).toBeGreaterThan(30 * 86_400 - 60);
  expect(ttl).toBeLessThanOrEqual(30 * 86_400);
});

test("bad requests get a 4xx that says what is wrong", async () => {
  const get = await handler(new Request("https://example.com/api/chat"));
  expect(get.status).toBe(405);
  const noId = await handler(post({ message: "hi" }));
  expect(noId.status).toBe(400);
  expect(await noId.json()).toEqual({ error: "sessionId: 1 to 64 letters, digits, or . _ @ : -" });
  const notJson = await handler(
    new Request("https://example.com/api/chat", { method: "POST", body: "hi" }),
  );
  expect(notJson.status).toBe(400);
});

test("pnpm start serves the same handler over HTTP", async () => {
  openai.script({ text: "Hi Bob." });
  const app = startCommand("pnpm", ["start"], { cwd, env: { ...env, PORT: "0" } });
  try {
    const [, url] = await app.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    const res = await fetch(url!, {
      method: "POST",
      body: JSON.stringify({ sessionId: "bob", message: "I am Bob" }),
    });
    expect(await res.json()).toEqual({ answer: "Hi Bob." });
    expect(await direct.llen("chat:bob")).toBe(2);
    // Ctrl-C ends it cleanly: exit 0, no pnpm error.
    await app.stop("SIGINT");
    expect(await app.exited).toBe(0);
    expect(app.stderr).not.toMatch(/ERR_PNPM|failed|SIGINT/i);
  } finally {
    await app.stop();
  }
});

test("the handler and the memory packages use no Node.js API: they bundle for the browser platform", async () => {
  // esbuild's browser platform has no Node built-ins: importing one fails the build. The SDK is
  // left out: its own docs list the platforms it runs on.
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/handler.ts", import.meta.url))],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    external: ["@openai/agents"],
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs).join("\n");
  expect(inputs).toMatch(/packages\/core\/dist/);
  expect(inputs).toMatch(/packages\/upstash\/dist/);
  expect(inputs).toMatch(/@upstash\/redis/);
});

const cwd = fileURLToPath(new URL("..", import.meta.url));
