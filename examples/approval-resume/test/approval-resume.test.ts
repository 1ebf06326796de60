import { fileURLToPath } from "node:url";
import { startResponsesServer } from "@agents-memory/test-servers/openai";
import { runCommand } from "@agents-memory/test-servers/process";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";

/*
 * The README's two commands, each its own process: `pnpm start "<message>"` pauses for
 * approval and exits; `pnpm resume approve|reject` picks the run up from Redis.
 */

const redis = await startRedisServer();
const openai = await startResponsesServer();
const direct = new Redis(redis.url);
afterAll(async () => {
  direct.disconnect();
  await openai.close();
  await redis.stop();
});

const cwd = fileURLToPath(new URL("..", import.meta.url));
const env = {
  REDIS_URL: redis.url,
  OPENAI_API_KEY: openai.apiKey,
  OPENAI_BASE_URL: openai.baseURL,
  OPENAI_MODEL: "gpt-test",
  OPENAI_AGENTS_DISABLE_TRACING: "1",
};
const pnpm = (sessionId: string, ...args: string[]) =>
  runCommand("pnpm", ["--silent", ...args], { cwd, env: { ...env, SESSION_ID: sessionId } });

const cancelCall = {
  toolCall: { name: "cancel_order", arguments: { orderId: "1042" }, callId: "call_1" },
};
/** The tool output the model was sent on the resumed turn. */
const toolOutputSent = () =>
  openai.requests.at(-1).input.find((item: any) => item.type === "function_call_output")?.output;

test("approve: the run pauses in one process and finishes in another, the conversation complete", async () => {
  openai.script(cancelCall, { text: "Done: order 1042 is cancelled." });
  const started = await pnpm("ann", "start", "Cancel order 1042");
  expect(started.code).toBe(0);
  expect(started.stdout).toContain('Waiting for approval: cancel_order {"orderId":"1042"}');
  expect(await direct.exists("support:ann:run-state")).toBe(1);

  const resumed = await pnpm("ann", "resume", "approve");
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toBe(
    'Approved: cancel_order {"orderId":"1042"}\nDone: order 1042 is cancelled.\n',
  );
  expect(toolOutputSent()).toContain("order 1042 is cancelled");
  expect(await direct.exists("support:ann:run-state")).toBe(0);

  // The whole conversation, once, in the session's key.
  const history = (await direct.lrange("support:ann", 0, -1)).map((text) => JSON.parse(text));
  expect(history.map((item) => item.type ?? item.role)).toEqual(
    expect.arrayContaining(["function_call", "function_call_result"]),
  );
  expect(history.filter((item) => item.type === "function_call_result")).toHaveLength(1);

  // Nothing is left to resume: a second decision is refused, not applied twice.
  const again = await pnpm("ann", "resume", "approve");
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("No run is waiting for approval in session ann.");
});

test("reject: the tool never runs, and the model is told so", async () => {
  openai.script(cancelCall, { text: "I did not cancel order 1042." });
  expect((await pnpm("bob", "start", "Cancel order 1042")).code).toBe(0);

  const resumed = await pnpm("bob", "resume", "reject");
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain("I did not cancel order 1042.");
  expect(toolOutputSent()).not.toContain("is cancelled");
  expect(toolOutputSent()).toMatch(/not approved|rejected/i);
});

test("a resume that fails after the tool ran does not run it again; a new message goes on", async () => {
  openai.script(cancelCall, { error: { status: 400 } }, { text: "Yes, order 1042 is cancelled." });
  expect((await pnpm("carol", "start", "Cancel order 1042")).code).toBe(0);

  const failed = await pnpm("carol", "resume", "approve");
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toContain("The decision was applied, but the run failed after it.");
  expect(failed.stderr).toMatch(/400/);
  expect(await direct.exists("support:carol:run-state")).toBe(0);

  const next = await pnpm("carol", "start", "Did it work?");
  expect(next.stdout).toContain("Yes, order 1042 is cancelled.");
  const history = (await direct.lrange("support:carol", 0, -1)).map((text) => JSON.parse(text));
  expect(history.map((item) => (item.type === "message" ? item.role : item.type))).toEqual([
    "user",
    "function_call",
    "function_call_result",
    "user",
    "assistant",
  ]);
});

test("the commands it prints work as typed from the repository root", async () => {
  openai.script(cancelCall, { text: "Done." });
  const started = await pnpm("dora", "start", "Cancel order 1042");
  const hints = started.stdout.split("\n").filter((line) => line.includes("resume approve"));
  expect(hints).toEqual([
    "  SESSION_ID=dora pnpm --filter @agents-memory/example-approval-resume resume approve",
  ]);

  // As a user pastes it: a shell at the root, with only the connection settings exported.
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const resumed = await runCommand("sh", ["-c", hints[0]!], { cwd: root, env });
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain("Approved: cancel_order");
  expect(resumed.stdout).toContain("Done.");
  expect(await direct.exists("support:dora:run-state")).toBe(0);
});
