import { createServer, type Server } from "node:net";
import {
  ReplySession,
  type SessionStore,
  StoreError,
  StoreSession,
  StoreTimeoutError,
  silentLogger,
} from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { freePort } from "@agents-memory/test-servers/free-port";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { recordingLogger, timed } from "@agents-memory/test-servers/testing";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { flavors, prefix, startBackend } from "./__fixtures__/setup";

const backend = await startBackend();
const { upstash } = backend;

/** A port where nothing listens: every connection is refused. */
const refusedUrl = `http://127.0.0.1:${await freePort()}`;

/** A server that accepts each connection and drops it at once, noting when it came. */
const resets: number[] = [];
const resetServer: Server = createServer((socket) => {
  resets.push(performance.now());
  socket.destroy();
});
await new Promise<void>((resolve) => resetServer.listen(0, "127.0.0.1", resolve));
const resetUrl = `http://127.0.0.1:${(resetServer.address() as { port: number }).port}`;

afterAll(async () => {
  upstash.hang(false);
  await new Promise((resolve) => resetServer.close(resolve));
  await backend.stop();
});

beforeEach(() => {
  upstash.hang(false);
  upstash.requests.reset();
  resets.length = 0;
});

/**
 * The store's budget in these tests, and the slack allowed over it for a loaded machine. What
 * these bounds tell apart is far coarser: a client left to its own retries takes ~4.3 s.
 */
const BUDGET_MS = 300;
const SLACK_MS = 700;
const opts = { maxItems: 50, ttlSeconds: 600 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every store operation once, each timed. */
function everyOperation(store: SessionStore, p: string): [string, () => Promise<unknown>][] {
  return [
    ["read", () => store.read(`${p}k`)],
    ["replace", () => store.replace(`${p}k`, [userItem("x")], 600)],
    ["append", () => store.append(`${p}k`, [userItem("x")], opts)],
    [
      "fork",
      () =>
        store.fork(`${p}k`, [`${p}c`], [userItem("n")], { ...opts, parentItems: [userItem("h")] }),
    ],
    ["pop", () => store.pop(`${p}k`)],
    ["clear", () => store.clear(`${p}k`)],
    [
      "transact",
      () =>
        store.transact!(
          `${p}k`,
          { type: "append_items", items: [userItem("t")] },
          { operationId: "op", fingerprint: "fp" },
        ),
    ],
    [
      "replaceFunctionCall",
      () =>
        store.replaceFunctionCall!(`${p}k`, "c1", {
          type: "function_call",
          callId: "c1",
          name: "lookup",
          arguments: "{}",
        }),
    ],
  ];
}

/** The session layer over a failing store: answers without history, reports, never throws. */
async function sessionsCarryOn(store: SessionStore): Promise<void> {
  const failures: string[] = [];
  const onStoreError = ({ operation }: { operation: string }) => failures.push(operation);
  const stable = new StoreSession({
    store,
    key: `${prefix("s")}stable`,
    failureMode: "degrade",
    logger: silentLogger,
    onStoreError,
  });
  const got = await timed(() => stable.getItems());
  expect(got.value).toEqual([]);
  expect(got.ms).toBeLessThan(BUDGET_MS + SLACK_MS);
  await expect(stable.addItems([userItem("lost")])).resolves.toBeUndefined();
  const reply = new ReplySession({
    store,
    chatId: 7,
    replyToMessageId: 3,
    logger: silentLogger,
    onStoreError,
  });
  expect(await reply.getItems()).toEqual([]);
  await reply.addItems([userItem("hi")]);
  const persisted = await timed(() => reply.persist([4]));
  expect(persisted.value).toMatchObject({ ok: false, keys: ["bot:4:7"] });
  expect(persisted.ms).toBeLessThan(BUDGET_MS + SLACK_MS);
  expect(failures).toEqual(["read", "append", "read", "fork"]);
}

describe.each(flavors)("$name", (flavor) => {
  test("Upstash unreachable (connection refused): every call fails fast with a clear error", async () => {
    const store = flavor.make({ url: refusedUrl, token: "t" }, { timeoutMs: BUDGET_MS });
    for (const [name, call] of everyOperation(store, prefix("refused"))) {
      const { ms, error } = await timed(call);
      expect(StoreError.isInstance(error), name).toBe(true);
      expect(ms, name).toBeLessThan(BUDGET_MS + SLACK_MS);
      // A client that retries by itself is cut off at the budget (a timeout); others fail now.
      expect((error as Error).message).toMatch(
        /^\[agents-memory\] \[upstash\] \w+ \S+ (failed: Upstash is unreachable|timed out after 300 ms)/,
      );
    }
    await sessionsCarryOn(store);
  });

  test("connections dropped at once: idempotent calls retry within the budget, append, pop and replaceFunctionCall never, nothing after", async () => {
    const store = flavor.make({ url: resetUrl, token: "t" }, { timeoutMs: BUDGET_MS });
    for (const [name, call] of everyOperation(store, prefix("reset"))) {
      resets.length = 0;
      const started = performance.now();
      const { ms, error } = await timed(call);
      expect(StoreError.isInstance(error), name).toBe(true);
      expect(ms, name).toBeLessThan(BUDGET_MS + SLACK_MS);
      await sleep(BUDGET_MS + 200); // anything still retrying in the background shows now
      expect(resets.length, name).toBeGreaterThanOrEqual(1);
      if (name === "append" || name === "pop" || name === "replaceFunctionCall") {
        // The store never repeats these; only a caller's client set to retry does.
        if (flavor.name.startsWith("the client the store built")) expect(resets.length).toBe(1);
      }
      // Nothing reached the server after the call settled (40 ms: the event loop's ordering).
      for (const at of resets) expect(at - started, name).toBeLessThan(ms + 40);
    }
  });

  test("Upstash hung (accepts, never answers): each call times out at the budget, sent once", async () => {
    const store = flavor.make(upstash, { timeoutMs: BUDGET_MS });
    await store.read(prefix("warm")); // load the script, so each call below is one request
    upstash.hang(true);
    upstash.requests.reset();
    for (const [name, call] of everyOperation(store, prefix("hung"))) {
      const { ms, error } = await timed(call);
      expect(error, name).toBeInstanceOf(StoreTimeoutError);
      expect(ms, name).toBeGreaterThanOrEqual(BUDGET_MS - 5);
      expect(ms, name).toBeLessThan(BUDGET_MS + SLACK_MS);
    }
    await sleep(200);
    expect(upstash.requests.count).toBe(8); // one per operation: a timeout is never retried
    await sessionsCarryOn(store);
  });

  test("Redis down behind Upstash (500): each call fails at once, sent once, and works again after", async () => {
    const redis = await startRedisServer();
    const server = await startUpstashServer({ redisPort: redis.port });
    try {
      const store = flavor.make(server, { timeoutMs: BUDGET_MS });
      const p = prefix("down");
      await store.replace(`${p}k`, [userItem("before")], 600);
      await redis.kill();
      server.requests.reset();
      for (const [name, call] of everyOperation(store, p)) {
        const { ms, error } = await timed(call);
        expect(StoreError.isInstance(error), name).toBe(true);
        expect(error, name).not.toBeInstanceOf(StoreTimeoutError);
        expect(ms, name).toBeLessThan(BUDGET_MS); // it did not wait out the budget
        expect((error as Error).message).toMatch(/Redis is unavailable/);
      }
      expect(server.requests.count).toBe(8);
      expect(server.requests.log.every((entry) => entry.status === 500)).toBe(true);
      await sessionsCarryOn(store);
      await redis.restart();
      let back = false;
      for (let i = 0; i < 200 && !back; i++) {
        back = await store.read(`${p}k`).then(
          () => true,
          () => false,
        );
        if (!back) await sleep(25);
      }
      expect(back).toBe(true);
    } finally {
      await server.close();
      await redis.stop();
    }
  });

  test("wrong token (401): every call fails at once, never retried, reported clearly once", async () => {
    const secret = "wrong-token-must-not-leak";
    const logger = recordingLogger();
    const store = flavor.make(
      { url: upstash.url, token: secret },
      { timeoutMs: BUDGET_MS, logger },
    );
    const errors: unknown[] = [];
    for (const [name, call] of everyOperation(store, prefix("401"))) {
      const { ms, error } = await timed(call);
      errors.push(error);
      expect(StoreError.isInstance(error), name).toBe(true);
      expect(ms, name).toBeLessThan(BUDGET_MS); // it did not wait out the budget
      expect((error as Error).message).toContain("Upstash rejected the token (Unauthorized)");
    }
    // One per operation, and the read's attempt to learn the server's clock alongside it.
    expect(upstash.requests.count).toBe(9);
    expect(upstash.requests.log.every((entry) => entry.status === 401)).toBe(true);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]!.message).toMatch(/rejected the token.*UPSTASH_REDIS_REST_TOKEN/);
    const said = JSON.stringify([logger.errors, logger.warnings, errors.map(String)]);
    expect(said).not.toContain(secret);
    expect(said).not.toContain(upstash.token);
    await sessionsCarryOn(store);
    expect(logger.errors).toHaveLength(1);
  });
});

describe("a caller's client", () => {
  test("with the default retries: the store warns once at construction and still keeps its budget", async () => {
    const { Redis } = await import("@upstash/redis");
    const logger = recordingLogger();
    const store = new UpstashStore({
      client: new Redis({ url: refusedUrl, token: "t" }),
      timeoutMs: BUDGET_MS,
      logger,
    });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.fields.risks).toEqual([
      expect.stringContaining("retries a failed connection 5 time(s)"),
    ]);
    // Left alone, this client retries a refused connection for ~4.3 s.
    const { ms, error } = await timed(() => store.read(prefix("retry")));
    expect(StoreError.isInstance(error)).toBe(true);
    expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  test("built with retry: { retries: 0 }: no warning", async () => {
    const { Redis } = await import("@upstash/redis");
    const logger = recordingLogger();
    new UpstashStore({
      client: new Redis({ url: upstash.url, token: upstash.token, retry: { retries: 0 } }),
      logger,
    });
    new UpstashStore({ url: upstash.url, token: upstash.token, logger });
    expect(logger.warnings).toEqual([]);
  });
});
