import { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../src/redis";
import { startUpstashServer, type UpstashServer } from "../src/upstash";

// Plain HTTP, no client: these pin the wire format the @upstash/redis client relies on.

const redisServer: RedisServer = await startRedisServer();
const upstash: UpstashServer = await startUpstashServer({ redisPort: redisServer.port });
const direct = new Redis(redisServer.url);

afterAll(async () => {
  direct.disconnect();
  await upstash.close();
  await redisServer.stop();
});

beforeEach(() => {
  upstash.hang(false);
  upstash.requests.reset();
});

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function post(
  path: string,
  body: unknown,
  options: { base64?: boolean; token?: string | null; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = options.token === undefined ? upstash.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.base64) headers["upstash-encoding"] = "base64";
  const response = await fetch(`${upstash.url}${path}`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("POST / (one command)", () => {
  test("runs the command; the result is plain JSON without the base64 header", async () => {
    expect(await post("/", ["SET", "wire:a", "bar"])).toMatchObject({
      status: 200,
      body: { result: "OK" },
    });
    expect((await post("/", ["GET", "wire:a"])).body).toEqual({ result: "bar" });
    expect((await post("/", ["GET", "wire:missing"])).body).toEqual({ result: null });
    expect((await post("/", ["RPUSH", "wire:l", "x", "y"])).body).toEqual({ result: 2 });
  });

  test("Upstash-Encoding: base64 encodes every string at every depth, except a top-level OK", async () => {
    expect((await post("/", ["SET", "wire:b", "bar"], { base64: true })).body).toEqual({
      result: "OK",
    });
    expect((await post("/", ["GET", "wire:b"], { base64: true })).body).toEqual({
      result: b64("bar"),
    });
    await post("/", ["DEL", "wire:bl"]);
    await post("/", ["RPUSH", "wire:bl", "one", "OK"]);
    expect((await post("/", ["LRANGE", "wire:bl", 0, -1], { base64: true })).body).toEqual({
      result: [b64("one"), b64("OK")],
    });
    const nested = await post(
      "/",
      ["EVAL", "return {'a', 7, {'b', {'OK'}}, redis.call('TYPE', KEYS[1])}", 1, "wire:bl"],
      { base64: true },
    );
    expect(nested.body).toEqual({ result: [b64("a"), 7, [b64("b"), [b64("OK")]], b64("list")] });
    expect((await post("/", ["GET", "wire:none"], { base64: true })).body).toEqual({
      result: null,
    });
    expect((await post("/", ["INCR", "wire:n"], { base64: true })).body).toEqual({ result: 1 });
  });

  test("binary-safe: emoji and NUL bytes arrive in Redis and come back byte for byte", async () => {
    const value = "a\u0000b 🎉👩‍👩‍👧 \u0000 é";
    await post("/", ["SET", "wire:bin", value]);
    expect(await direct.getBuffer("wire:bin")).toEqual(Buffer.from(value, "utf8"));
    expect((await post("/", ["STRLEN", "wire:bin"])).body).toEqual({
      result: Buffer.byteLength(value),
    });
    const answer = await post("/", ["GET", "wire:bin"], { base64: true });
    const encoded = (answer.body as { result: string }).result;
    expect(Buffer.from(encoded, "base64")).toEqual(Buffer.from(value, "utf8"));
    // Bytes that are not UTF-8 survive base64 too.
    await direct.set("wire:raw", Buffer.from([0xff, 0x00, 0xfe]));
    const raw = await post("/", ["GET", "wire:raw"], { base64: true });
    expect(Buffer.from((raw.body as { result: string }).result, "base64")).toEqual(
      Buffer.from([0xff, 0x00, 0xfe]),
    );
  });

  test("JSON numbers and booleans reach Redis as strings; null and objects are a 400", async () => {
    await post("/", ["SET", "wire:num", 42]);
    expect(await direct.get("wire:num")).toBe("42");
    await post("/", ["SET", "wire:float", 2.5]);
    expect(await direct.get("wire:float")).toBe("2.5");
    await post("/", ["SET", "wire:bool", true]);
    expect(await direct.get("wire:bool")).toBe("true");
    expect((await post("/", ["INCRBY", "wire:num", 1])).body).toEqual({ result: 43 });
    for (const bad of [["SET", "wire:x", null], ["SET", "wire:x", { a: 1 }], [], "GET"]) {
      const answer = await post("/", bad);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: expect.any(String) });
    }
    expect(await direct.exists("wire:x")).toBe(0);
  });

  test("a Redis error is a 400 { error }, never base64-encoded", async () => {
    const unknown = await post("/", ["NOSUCHCOMMAND", "x"], { base64: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
    await post("/", ["SET", "wire:s", "v"]);
    const wrongType = await post("/", ["LPUSH", "wire:s", "x"]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toEqual({ error: expect.stringMatching(/^WRONGTYPE/) });
    const noScript = await post("/", ["EVALSHA", "0".repeat(40), 0]);
    expect(noScript.status).toBe(400);
    expect(noScript.body).toEqual({ error: expect.stringMatching(/^NOSCRIPT/) });
  });

  test("a malformed body is a 400; another path a 404; another method a 405", async () => {
    const malformed = await post("/", undefined, { raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect((await post("/nowhere", ["PING"])).status).toBe(404);
    const get = await fetch(`${upstash.url}/pipeline`, {
      headers: { authorization: `Bearer ${upstash.token}` },
    });
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  test("commands that would change the shared connection's state are refused", async () => {
    for (const command of [["MULTI"], ["SELECT", 1], ["BLPOP", "wire:q", 0], ["SUBSCRIBE", "c"]]) {
      expect((await post("/", command)).status).toBe(400);
    }
    // The connection is still clean: a plain command works and is not queued in a MULTI.
    expect((await post("/", ["PING"])).body).toEqual({ result: "PONG" });
  });
});

describe("Authorization", () => {
  test("a missing or wrong token is a 401 { error }; nothing runs", async () => {
    const missing = await post("/", ["SET", "wire:auth", "x"], { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: "Unauthorized" });
    const wrong = await post("/pipeline", [["SET", "wire:auth", "x"]], { token: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: "Unauthorized" });
    expect(await direct.exists("wire:auth")).toBe(0);
  });

  test("the token is also accepted as ?_token=", async () => {
    const response = await fetch(`${upstash.url}/?_token=${encodeURIComponent(upstash.token)}`, {
      method: "POST",
      body: JSON.stringify(["PING"]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "PONG" });
  });
});

describe("POST /pipeline", () => {
  test("one { result } or { error } per command, in order, not atomic", async () => {
    await direct.del("wire:p");
    const answer = await post(
      "/pipeline",
      [
        ["SET", "wire:p", "1"],
        ["LPUSH", "wire:p", "x"],
        ["INCR", "wire:p"],
        ["GET", "wire:p"],
      ],
      { base64: true },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/^WRONGTYPE/) },
      { result: 2 },
      { result: b64("2") },
    ]);
    expect(upstash.requests.byPath()).toEqual({ "/pipeline": 1 });
    expect(upstash.requests.byCommand()).toEqual({ set: 1, lpush: 1, incr: 1, get: 1 });
  });
});

describe("POST /multi-exec", () => {
  test("runs atomically; a run-time error is that entry's { error }", async () => {
    await direct.del("wire:m");
    const answer = await post(
      "/multi-exec",
      [
        ["SET", "wire:m", "a"],
        ["LPUSH", "wire:m", "x"],
        ["APPEND", "wire:m", "b"],
        ["GET", "wire:m"],
      ],
      { base64: true },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/^WRONGTYPE/) },
      { result: 2 },
      { result: b64("ab") },
    ]);
  });

  test("a queue-time error discards the whole transaction: one 400 { error }", async () => {
    await direct.set("wire:t", "before");
    const answer = await post("/multi-exec", [
      ["SET", "wire:t", "after"],
      ["NOSUCHCOMMAND"],
      ["SET", "wire:t2", "after"],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
    expect(await direct.get("wire:t")).toBe("before");
    expect(await direct.exists("wire:t2")).toBe(0);
    // The shared connection left MULTI: the next request runs normally.
    expect((await post("/", ["GET", "wire:t"])).body).toEqual({ result: "before" });
  });

  test("no other request's command lands inside a transaction", async () => {
    await direct.del("wire:iso");
    const transactions = Array.from({ length: 20 }, (_, i) =>
      post("/multi-exec", [
        ["RPUSH", "wire:iso", `t${i}a`],
        ["RPUSH", "wire:iso", `t${i}b`],
      ]),
    );
    const singles = Array.from({ length: 20 }, (_, i) => post("/", ["RPUSH", "wire:iso", `s${i}`]));
    await Promise.all([...transactions, ...singles]);
    const list = await direct.lrange("wire:iso", 0, -1);
    expect(list).toHaveLength(60);
    for (let i = 0; i < 20; i++) {
      expect(list.indexOf(`t${i}b`)).toBe(list.indexOf(`t${i}a`) + 1);
    }
  });
});

describe("headers, counters, faults", () => {
  test("every response carries an upstash-sync-token header", async () => {
    const first = await post("/", ["PING"]);
    const second = await post("/", ["PING"]);
    const unauthorized = await post("/", ["PING"], { token: "nope" });
    for (const answer of [first, second, unauthorized]) {
      expect(answer.headers.get("upstash-sync-token")).toMatch(/\S/);
    }
    expect(first.headers.get("upstash-sync-token")).not.toBe(
      second.headers.get("upstash-sync-token"),
    );
  });

  test("requests and body bytes are counted per path and command", async () => {
    const one = JSON.stringify(["SET", "wire:c", "12345"]);
    const answer = await post("/", undefined, { raw: one });
    await post("/multi-exec", [["GET", "wire:c"]]);
    expect(upstash.requests.count).toBe(2);
    expect(upstash.requests.byPath()).toEqual({ "/": 1, "/multi-exec": 1 });
    expect(upstash.requests.byCommand()).toEqual({ set: 1, get: 1 });
    const [first] = upstash.requests.log;
    expect(first).toMatchObject({ path: "/", commands: ["set"], status: 200 });
    expect(first!.bytesIn).toBe(Buffer.byteLength(one));
    expect(first!.bytesOut).toBe(Buffer.byteLength(JSON.stringify(answer.body)));
    expect(upstash.bytesIn).toBe(
      upstash.requests.log.reduce((sum, entry) => sum + entry.bytesIn, 0),
    );
    expect(upstash.bytesOut).toBe(
      upstash.requests.log.reduce((sum, entry) => sum + entry.bytesOut, 0),
    );
  });

  test("hang(true): the request is accepted and recorded, and never answered", async () => {
    upstash.hang(true);
    const started = performance.now();
    const outcome = await fetch(upstash.url, {
      method: "POST",
      headers: { authorization: `Bearer ${upstash.token}` },
      body: JSON.stringify(["PING"]),
      signal: AbortSignal.timeout(300),
    }).then(
      () => "answered",
      (error: Error) => error.name,
    );
    expect(outcome).toBe("TimeoutError");
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(upstash.requests.log).toMatchObject([{ path: "/", commands: ["ping"], status: 0 }]);
    upstash.hang(false);
    expect((await post("/", ["PING"])).body).toEqual({ result: "PONG" });
  });

  test("Redis down behind it: a 500 { error } at once; back to normal once Redis returns", async () => {
    const own = await startRedisServer();
    const server = await startUpstashServer({ redisPort: own.port, token: "t" });
    try {
      await own.kill();
      const started = performance.now();
      const response = await fetch(server.url, {
        method: "POST",
        headers: { authorization: "Bearer t" },
        body: JSON.stringify(["GET", "k"]),
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: expect.any(String) });
      expect(performance.now() - started).toBeLessThan(2000);
      await own.restart();
      let status = 0;
      const deadline = Date.now() + 10_000;
      while (status !== 200 && Date.now() < deadline) {
        const retry = await fetch(server.url, {
          method: "POST",
          headers: { authorization: "Bearer t" },
          body: JSON.stringify(["PING"]),
        });
        status = retry.status;
        await retry.body?.cancel();
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(200);
    } finally {
      await server.close();
      await own.stop();
    }
  });
});
