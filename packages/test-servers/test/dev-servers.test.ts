import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { Agent, OpenAIResponsesModel, Runner, tool } from "@openai/agents";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { afterAll, expect, test } from "vitest";
import { z } from "zod";
import { startCommand } from "../src/process";

/*
 * `pnpm dev-servers` as the examples' READMEs use it: started from the repository root, its
 * printed `export` line pasted into another shell, every example's client pointed at it.
 */

const root = fileURLToPath(new URL("../../..", import.meta.url));
const app = startCommand("pnpm", ["dev-servers"], { cwd: root });
afterAll(() => app.stop());

const [, exported] = await app.waitFor(/^export (.*)$/m, 60_000);
const env = Object.fromEntries(exported!.split(" ").map((pair) => pair.split("=", 2))) as Record<
  string,
  string
>;

test("it prints every variable the examples read", () => {
  expect(Object.keys(env).sort()).toEqual([
    "OPENAI_AGENTS_DISABLE_TRACING",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "REDIS_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "UPSTASH_REDIS_REST_URL",
  ]);
});

test("Redis and Upstash answer, and are two databases", async () => {
  const redis = new Redis(env.REDIS_URL!);
  try {
    await redis.set("dev:where", "redis");
    const upstash = (command: unknown[]) =>
      fetch(env.UPSTASH_REDIS_REST_URL!, {
        method: "POST",
        headers: { authorization: `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}` },
        body: JSON.stringify(command),
      }).then((res) => res.json());
    expect(await upstash(["GET", "dev:where"])).toEqual({ result: null });
    expect(await upstash(["SET", "dev:where", "upstash"])).toEqual({ result: "OK" });
    expect(await redis.get("dev:where")).toBe("redis");
  } finally {
    redis.disconnect();
  }
});

test("the model echoes, and calls a tool the message names, then repeats its output", async () => {
  const openai = new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL });
  const model = new OpenAIResponsesModel(openai, env.OPENAI_MODEL!);
  const runner = new Runner({ tracingDisabled: true });
  const plain = new Agent({ name: "plain", model });
  expect((await runner.run(plain, "Hello there")).finalOutput).toBe("echo: Hello there");

  const orders: string[] = [];
  const cancelOrder = tool({
    name: "cancel_order",
    description: "Cancels an order.",
    parameters: z.object({ orderId: z.string() }),
    execute: async ({ orderId }) => {
      orders.push(orderId);
      return `order ${orderId} is cancelled`;
    },
  });
  const support = new Agent({ name: "support", model, tools: [cancelOrder] });
  const result = await runner.run(support, "Please cancel my order 1042");
  expect(orders).toEqual(["1042"]);
  expect(result.finalOutput).toBe("The tool said: order 1042 is cancelled");
});

test("Ctrl-C stops every server and exits 0, without a pnpm error", async () => {
  await app.stop("SIGINT");
  expect(await app.exited).toBe(0);
  expect(app.stderr).not.toMatch(/ERR_PNPM|failed/i);
  const port = Number(new URL(env.REDIS_URL!).port);
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => resolve(socket.destroy() && false));
    socket.once("error", () => resolve(true));
  });
  expect(refused).toBe(true);
});
