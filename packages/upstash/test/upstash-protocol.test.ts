import { startRedisServer } from "@agents-memory/test-servers/redis";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { Redis } from "@upstash/redis";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { prefix, startBackend } from "./__fixtures__/setup";

// The real @upstash/redis client against the local Upstash-protocol server: the server is
// faithful enough for the client's own features, and the client's defaults behave as the
// store's design assumes (each claim in the README is pinned here).
const backend = await startBackend();
const { upstash, direct } = backend;
afterAll(async () => {
  upstash.hang(false);
  await backend.stop();
});
beforeEach(() => {
  upstash.hang(false);
  upstash.requests.reset();
});

const plain = () =>
  new Redis({
    url: upstash.url,
    token: upstash.token,
    automaticDeserialization: false,
    enableAutoPipelining: false,
    retry: { retries: 0, backoff: () => 0 },
  });

describe("the client through the local server", () => {
  test("commands, base64 decoding, binary-safe strings", async () => {
    const p = prefix("proto");
    const redis = plain();
    const text = "a\u0000b 🎉👩‍👩‍👧 é OK";
    expect(await redis.set(`${p}s`, text)).toBe("OK");
    expect(await redis.get(`${p}s`)).toBe(text);
    expect(await direct.getBuffer(`${p}s`)).toEqual(Buffer.from(text, "utf8"));
    expect(await redis.rpush(`${p}l`, "OK", "42", "")).toBe(3);
    expect(await redis.lrange(`${p}l`, 0, -1)).toEqual(["OK", "42", ""]);
    expect(await redis.type(`${p}l`)).toBe("list");
    expect(await redis.get(`${p}missing`)).toBeNull();
    expect(upstash.requests.log.every((entry) => entry.base64 && entry.path === "/")).toBe(true);
  });

  test('with the default automaticDeserialization, a stored "42" comes back as the number 42', async () => {
    const p = prefix("deser");
    await direct.set(`${p}n`, "42");
    await direct.rpush(`${p}l`, '{"role":"user","content":"42"}', "42", "true");
    const redis = new Redis({ url: upstash.url, token: upstash.token });
    expect(await redis.get(`${p}n`)).toBe(42);
    expect(await redis.lrange(`${p}l`, 0, -1)).toEqual([{ role: "user", content: "42" }, 42, true]);
    expect(await plain().get(`${p}n`)).toBe("42");
  });

  test("pipeline(): one POST /pipeline, per-command results and errors, not atomic", async () => {
    const p = prefix("pipe");
    const redis = plain();
    const results = await redis
      .pipeline()
      .set(`${p}k`, "v")
      .lpush(`${p}k`, "x")
      .get(`${p}k`)
      .exec({ keepErrors: true });
    expect(results).toEqual([
      { result: "OK", error: undefined },
      { result: undefined, error: expect.stringMatching(/^WRONGTYPE/) },
      { result: "v", error: undefined },
    ]);
    expect(upstash.requests.byPath()).toEqual({ "/pipeline": 1 });
  });

  test("multi(): one POST /multi-exec; a queue-time error discards the whole transaction", async () => {
    const p = prefix("multi");
    const redis = plain();
    expect(await redis.multi().set(`${p}a`, "1").incr(`${p}a`).get(`${p}a`).exec()).toEqual([
      "OK",
      2,
      "2",
    ]);
    expect(upstash.requests.byPath()).toEqual({ "/multi-exec": 1 });
    // HSET with no field is refused at queue time (wrong arity): nothing of it runs.
    const tx = redis.multi().set(`${p}b`, "1").hset(`${p}h`, {});
    await expect(tx.exec()).rejects.toThrow(/^ERR wrong number of arguments/);
    expect(await direct.exists(`${p}b`)).toBe(0);
  });

  test("auto-pipelining (the default): calls made in one tick share a /pipeline POST, reads apart from writes", async () => {
    const p = prefix("auto");
    const redis = new Redis({ url: upstash.url, token: upstash.token });
    await Promise.all([
      redis.get(`${p}a`),
      redis.get(`${p}b`),
      redis.set(`${p}c`, "1"),
      redis.incr(`${p}d`),
    ]);
    expect(upstash.requests.byPath()).toEqual({ "/pipeline": 2 });
    expect(upstash.requests.log.map((entry) => entry.commands.sort())).toEqual(
      expect.arrayContaining([
        ["get", "get"],
        ["incr", "set"],
      ]),
    );
  });

  test("a script: EVALSHA, then EVAL on NOSCRIPT (two requests the first time, one after)", async () => {
    await direct.script("FLUSH");
    const redis = plain();
    const script = redis.createScript<string>("return ARGV[1]");
    upstash.requests.reset();
    expect(await script.exec([], ["hello"])).toBe("hello");
    expect(upstash.requests.byCommand()).toEqual({ evalsha: 1, eval: 1 });
    upstash.requests.reset();
    expect(await script.exec([], ["again"])).toBe("again");
    expect(upstash.requests.byCommand()).toEqual({ evalsha: 1 });
  });

  test('a wrong token: UpstashError "Unauthorized", not retried', async () => {
    const redis = new Redis({ url: upstash.url, token: "wrong" });
    await expect(redis.get("k")).rejects.toThrow(/^Unauthorized/);
    expect(upstash.requests.count).toBe(1);
  });

  test("Redis down behind the server: the client gets the 500's error at once", async () => {
    const redis = await startRedisServer();
    const server = await startUpstashServer({ redisPort: redis.port });
    try {
      await redis.kill();
      const client = new Redis({ url: server.url, token: server.token, retry: false });
      const started = performance.now();
      await expect(client.get("k")).rejects.toThrow(/Redis is unavailable/);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(server.requests.log.map((entry) => entry.status)).toEqual([500]);
    } finally {
      await server.close();
      await redis.stop();
    }
  });
});

describe("the client's signal option", () => {
  test("a static AbortSignal, once aborted, turns every later call into a wrong result, not an error", async () => {
    const redis = new Redis({
      url: upstash.url,
      token: upstash.token,
      enableAutoPipelining: false,
      retry: { retries: 0, backoff: () => 0 },
      signal: AbortSignal.timeout(100),
    });
    await direct.set("signal:k", "value");
    upstash.hang(true);
    const hung = await redis.get("signal:k");
    upstash.hang(false);
    // Resolved, not rejected: the client answers with the abort reason as the "result",
    // which decodes to null, as if the key were missing.
    expect(hung).toBeNull();
    // The signal stays aborted: the server is fine again, yet every call still "succeeds"
    // with that wrong result.
    expect(await redis.get("signal:k")).toBeNull();
    expect(await direct.get("signal:k")).toBe("value");
  });

  test("a signal function (what the store uses) gives every request a fresh deadline and rejects", async () => {
    const redis = new Redis({
      url: upstash.url,
      token: upstash.token,
      enableAutoPipelining: false,
      retry: { retries: 0, backoff: () => 0 },
      signal: () => AbortSignal.timeout(100),
    });
    await direct.set("signal:f", "value");
    upstash.hang(true);
    await expect(redis.get("signal:f")).rejects.toMatchObject({ name: "TimeoutError" });
    upstash.hang(false);
    expect(await redis.get("signal:f")).toBe("value");
  });
});
