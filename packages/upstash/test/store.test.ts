import { StoreError, silentLogger } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { createUpstashStore, defaultOptions, UpstashStore } from "../src";
import { prefix, startBackend } from "./__fixtures__/setup";

const backend = await startBackend();
const { upstash, direct } = backend;
afterAll(() => backend.stop());

const ENV = [
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "KV_REST_API_URL",
  "KV_REST_API_TOKEN",
];
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  for (const name of ENV) delete process.env[name];
  upstash.requests.reset();
});
afterEach(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("building the store", () => {
  test("from UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN", async () => {
    process.env.UPSTASH_REDIS_REST_URL = upstash.url;
    process.env.UPSTASH_REDIS_REST_TOKEN = upstash.token;
    const store = new UpstashStore({ logger: silentLogger });
    const key = `${prefix("env")}k`;
    await store.replace(key, [userItem("from env")], 60);
    expect(await direct.lrange(key, 0, -1)).toEqual([JSON.stringify(userItem("from env"))]);
  });

  test("from KV_REST_API_URL / KV_REST_API_TOKEN (Vercel's names) as a fallback", async () => {
    process.env.KV_REST_API_URL = upstash.url;
    process.env.KV_REST_API_TOKEN = upstash.token;
    const store = createUpstashStore({ logger: silentLogger });
    expect(await store.read(`${prefix("kv")}k`)).toEqual([]);
  });

  test("with nothing to connect with: a TypeError naming what is missing, at construction", () => {
    expect(() => new UpstashStore()).toThrow(
      /pass a client, or url and token \(or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN\); missing: url, token/,
    );
    process.env.UPSTASH_REDIS_REST_URL = upstash.url;
    expect(() => new UpstashStore()).toThrow(/missing: token$/);
  });

  test("a misspelt option is refused at construction, naming the option meant", () => {
    const connect = { url: upstash.url, token: upstash.token };
    expect(() => new UpstashStore({ ...connect, keyprefix: "tenant-a:" } as never)).toThrow(
      /^\[agents-memory\] \[upstash\] unknown option "keyprefix" \(did you mean "keyPrefix"\?\)$/,
    );
    expect(() => new UpstashStore({ ...connect, retires: 0, timeout: 500 } as never)).toThrow(
      /^\[agents-memory\] \[upstash\] unknown options "retires" \(did you mean "retries"\?\), "timeout" \(did you mean "timeoutMs"\?\)$/,
    );
  });

  test("rejects contradictory or out-of-range options", () => {
    const client = new Redis({ url: upstash.url, token: upstash.token });
    expect(() => new UpstashStore({ client, url: upstash.url })).toThrow(TypeError);
    expect(() => new UpstashStore({ client: {} as Redis })).toThrow(/must be a Redis client/);
    for (const bad of [{ timeoutMs: 0 }, { retries: -1 }, { retries: 1.5 }, { retryDelayMs: -1 }]) {
      expect(() => new UpstashStore({ url: upstash.url, token: "t", ...bad })).toThrow(RangeError);
    }
    expect(defaultOptions).toEqual({
      keyPrefix: "",
      timeoutMs: 3000,
      retries: 1,
      retryDelayMs: 50,
    });
  });

  test("a URL that is not the REST URL, or carries credentials: a TypeError that does not quote it", () => {
    const secret = "AYc2SecretPassw0rd";
    const cases: [string, RegExp][] = [
      [
        `rediss://default:${secret}@eu1-example.upstash.io:6379`,
        // The REST URL's host, without the Redis port (the REST endpoint is on 443).
        /REST URL \(https:\/\/eu1-example\.upstash\.io\), not a rediss:\/\/ URL/,
      ],
      [`https://default:${secret}@eu1-example.upstash.io`, /must not carry credentials/],
      [`not a url ${secret}`, /url is not a usable URL: a malformed URL/],
      [`https://eu1-example.upstash.io:${secret}`, /not a usable URL: a port that is not a number/],
      ["https://eu1-example.upstash.io:443000", /not a usable URL: a port above 65535 \(443000\)/],
    ];
    for (const [url, message] of cases) {
      let thrown: unknown;
      try {
        new UpstashStore({ url, token: "t" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain(secret);
    }
    expect(() => new UpstashStore({ url: upstash.url, token: "two words" })).toThrow(
      /token must be one word/,
    );
    expect(() => new UpstashStore({ url: 42 as unknown as string, token: "t" })).toThrow(
      /url must be a string, got number/,
    );
  });

  test("env values pasted with a trailing newline or spaces still work", async () => {
    process.env.UPSTASH_REDIS_REST_URL = `${upstash.url}\n`;
    process.env.UPSTASH_REDIS_REST_TOKEN = `  ${upstash.token}\n`;
    const store = new UpstashStore({ logger: silentLogger });
    const key = `${prefix("pasted")}k`;
    await store.replace(key, [userItem("pasted")], 60);
    expect(await store.read(key)).toEqual([userItem("pasted")]);
  });

  test("a caller's client whose URL carries credentials: errors and logs mask them", async () => {
    const secret = "AYc2SecretPassw0rd";
    const url = new URL(upstash.url);
    const client = new Redis({
      url: `${url.protocol}//default:${secret}@${url.host}`,
      token: upstash.token,
      retry: { retries: 0, backoff: () => 0 },
    });
    const lines: string[] = [];
    const logger = {
      warn: (fields: object, message: string) => lines.push(message, JSON.stringify(fields)),
      error: (fields: object, message: string) => lines.push(message, JSON.stringify(fields)),
    };
    const store = new UpstashStore({ client, logger, retries: 0 });
    const error = await store.read(`${prefix("cred")}k`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(StoreError.isInstance(error)).toBe(true);
    const chain: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
      chain.push(e.message, String(e.stack));
    }
    expect(chain.join("\n")).toContain("//***@");
    expect(chain.join("\n")).not.toContain(secret);
    expect(lines.join("\n")).not.toContain(secret);
  });

  test("the client it builds: one request per call, exact strings, plain JSON responses", async () => {
    const store = new UpstashStore({ url: upstash.url, token: upstash.token });
    const p = prefix("client");
    await direct.set(`${p}n`, "42");
    expect(await Promise.all([store.client.get(`${p}n`), store.client.get(`${p}n`)])).toEqual([
      "42",
      "42",
    ]);
    expect(upstash.requests.byPath()).toEqual({ "/": 2 });
    expect(upstash.requests.log.every((entry) => !entry.base64)).toBe(true);
  });

  test("keyPrefix is prepended to every key", async () => {
    const store = new UpstashStore({
      url: upstash.url,
      token: upstash.token,
      keyPrefix: "tenant-a:",
    });
    const key = `${prefix("pfx")}k`;
    await store.append(key, [userItem("x")], { maxItems: 5, ttlSeconds: 60 });
    expect(await direct.exists(`tenant-a:${key}`)).toBe(1);
    expect(await direct.exists(key)).toBe(0);
    expect(await store.read(key)).toEqual([userItem("x")]);
  });

  test("after close(), calls fail with a StoreError and send nothing", async () => {
    const store = new UpstashStore({ url: upstash.url, token: upstash.token });
    await store.close();
    await store.close();
    await expect(store.read("k")).rejects.toSatisfy((error) => StoreError.isInstance(error));
    expect(upstash.requests.count).toBe(0);
  });
});

test("legacyStrings: false reads a JSON-array string as empty and replaces it on write", async () => {
  const p = prefix("legacy-off");
  const store = new UpstashStore({
    url: upstash.url,
    token: upstash.token,
    legacyStrings: false,
    logger: silentLogger,
  });
  const legacy = JSON.stringify([userItem("py-user")]);
  await direct.set(`${p}k`, legacy);
  expect(await store.read(`${p}k`)).toEqual([]);
  expect(await store.pop(`${p}k`)).toBeUndefined();
  expect(await direct.get(`${p}k`)).toBe(legacy);
  await store.append(`${p}k`, [userItem("new")], { maxItems: 50, ttlSeconds: 600 });
  expect(await store.read(`${p}k`)).toEqual([userItem("new")]);
  expect(
    () =>
      new UpstashStore({ url: upstash.url, token: upstash.token, legacyStrings: "no" as never }),
  ).toThrow(/legacyStrings must be a boolean/);
});
