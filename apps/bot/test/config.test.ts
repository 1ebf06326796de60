import { describe, expect, test } from "vitest";
import {
  ConfigError,
  loadConfig,
  parseArgs,
  redactConfig,
  redactUrl,
  secretsOf,
} from "../src/config";
import { scrub } from "../src/logger";

const TOKEN = "123456:AAE-secret_token_value";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("config", () => {
  test("defaults: console, memory store, 7 days, 50 items, /a and /gpt", () => {
    const config = loadConfig({});
    expect(config.transport).toBe("console");
    expect(config.memory).toMatchObject({
      store: { kind: "memory" },
      ttlSeconds: 604_800,
      maxItems: 50,
      keyPrefix: "bot",
    });
    expect(config.bot.commands).toEqual(["a", "gpt"]);
    expect(config.bot.whitelist).toEqual([]);
  });

  test("stats every 60 s, no health port, streamed answers unless set; bad values named", () => {
    expect(loadConfig({}).health).toEqual({
      statsIntervalSeconds: 60,
      port: undefined,
      host: "0.0.0.0",
    });
    const set = loadConfig({
      STATS_INTERVAL_SECONDS: "0",
      HEALTH_PORT: "9090",
      HEALTH_HOST: "127.0.0.1",
    });
    expect(set.health).toEqual({ statsIntervalSeconds: 0, port: 9090, host: "127.0.0.1" });
    expect(loadConfig({}).bot.streamAnswers).toBe(true);
    expect(loadConfig({ STREAM_ANSWERS: "off" }).bot.streamAnswers).toBe(false);
    expect(problems({ STREAM_ANSWERS: "yes" })).toEqual(['STREAM_ANSWERS must be "on" or "off"']);
    expect(problems({ STATS_INTERVAL_SECONDS: "-1", HEALTH_PORT: "70000" })).toEqual([
      'STATS_INTERVAL_SECONDS must be an integer from 0 to 3600 (seconds between stats lines; 0 turns them off); got "-1"',
      'HEALTH_PORT must be an integer from 0 to 65535 (a TCP port; 0 picks a free one); got "70000"',
    ]);
  });

  test("AGENT_MAX_TOKENS: off by default (windows by count, as the Python bot), else a positive integer", () => {
    expect(loadConfig({}).memory.maxTokens).toBeUndefined();
    expect(loadConfig({ AGENT_MAX_TOKENS: "4000" }).memory.maxTokens).toBe(4000);
    expect(problems({ AGENT_MAX_TOKENS: "0" })).toEqual([
      'AGENT_MAX_TOKENS must be an integer, 1 or more (tokens); got "0"',
    ]);
  });

  test("AGENT_SUMMARY: off by default, on or off", () => {
    expect(loadConfig({}).memory.summary).toBe(false);
    expect(loadConfig({ AGENT_SUMMARY: "on" }).memory.summary).toBe(true);
    expect(problems({ AGENT_SUMMARY: "yes" })).toEqual(['AGENT_SUMMARY must be "on" or "off"']);
  });

  test("nothing configured in the console: the labelled demo model; on Telegram: an error", () => {
    expect(loadConfig({}).model).toMatchObject({ demo: true, demoReason: "unconfigured" });
    const [problem] = problems({ BOT_TOKEN: TOKEN });
    expect(problem).toMatch(/^OPENAI_API_KEY: required/);
    expect(problem).toMatch(/OPENAI_BASE_URL/);
  });

  test("the demo model is never chosen when a key or base URL is configured", () => {
    expect(loadConfig({ OPENAI_API_KEY: "sk-x" }).model.demo).toBe(false);
    expect(loadConfig({ OPENAI_BASE_URL: "http://localhost:11434/v1" }).model.demo).toBe(false);
    expect(loadConfig({ OPENAI_API_KEY: "sk-x", OPENAI_MODEL: "demo" }).model.demoReason).toBe(
      "requested",
    );
  });

  test("a TTL longer than the stores take is refused with the bound", () => {
    expect(
      problems({ BOT_TOKEN: TOKEN, OPENAI_API_KEY: "sk-x", CACHE_TTL_SECONDS: "9007199254740991" }),
    ).toEqual([
      expect.stringMatching(
        /^CACHE_TTL_SECONDS must be an integer from 1 to 10000000000 \(seconds\)/,
      ),
    ]);
  });

  test("each bad value names the variable and what it expects", () => {
    const found = problems({
      BOT_TOKEN: TOKEN,
      OPENAI_API_KEY: "sk-x",
      CACHE_TTL_SECONDS: "a week",
      AGENT_MAX_CACHE_SIZE: "0",
      BOT_WHITELIST: "12,abc",
      BOT_MODE: "push",
      STORE_URL: "mongodb://u:pw@h",
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CACHE_TTL_SECONDS must be an integer/),
        expect.stringMatching(
          /^AGENT_MAX_CACHE_SIZE must be an integer, 1 or more \(items\); got "0"$/,
        ),
        expect.stringMatching(/^BOT_WHITELIST must be comma-separated chat ids.*"abc"/),
        expect.stringMatching(/^BOT_MODE must be "polling" or "webhook"/),
      ]),
    );
    // The store URL is checked in the same run; its credentials are never echoed.
    const store = found.find((p) => p.startsWith("STORE_URL"));
    expect(store).toMatch(/^STORE_URL must be memory:\/\//);
    expect(store).not.toContain("pw");
  });

  test("timeouts stay within what setTimeout can wait; the model gets 120 s per request", () => {
    const tooLong = String(2 ** 31);
    const found = problems({
      STORE_TIMEOUT_MS: tooLong,
      SHUTDOWN_TIMEOUT_MS: tooLong,
      MCP_CONNECT_TIMEOUT_MS: tooLong,
      OPENAI_TIMEOUT_MS: tooLong,
    });
    for (const name of [
      "STORE_TIMEOUT_MS",
      "SHUTDOWN_TIMEOUT_MS",
      "MCP_CONNECT_TIMEOUT_MS",
      "OPENAI_TIMEOUT_MS",
    ]) {
      expect(found).toContainEqual(
        `${name} must be an integer from 1 to 2147483647 (milliseconds; the upper bound, about 24.8 days, is the longest a timer can wait); got "2147483648"`,
      );
    }
    expect(loadConfig({}).model.timeoutMs).toBe(120_000);
    expect(loadConfig({ OPENAI_TIMEOUT_MS: "2147483647" }).model.timeoutMs).toBe(2_147_483_647);
  });

  test("webhook mode needs a secret; upstash needs its URL and token", () => {
    expect(problems({ BOT_TOKEN: TOKEN, OPENAI_API_KEY: "k", BOT_MODE: "webhook" })[0]).toMatch(
      /^WEBHOOK_SECRET: required/,
    );
    expect(problems({ STORE_URL: "upstash://" })).toEqual([
      expect.stringMatching(/^UPSTASH_REDIS_REST_URL: required/),
      expect.stringMatching(/^UPSTASH_REDIS_REST_TOKEN: required/),
    ]);
  });

  test("store URLs choose the store", () => {
    expect(loadConfig({ STORE_URL: "redis://:pw@localhost:6380/2" }).memory.store).toEqual({
      kind: "redis",
      url: "redis://:pw@localhost:6380/2",
    });
    expect(loadConfig({ STORE_URL: "redis+cluster://:pw@a:7000,b:7001" }).memory.store).toEqual({
      kind: "redis-cluster",
      nodes: [
        { host: "a", port: 7000 },
        { host: "b", port: 7001 },
      ],
      username: undefined,
      password: "pw",
      tls: false,
      url: "redis+cluster://:pw@a:7000,b:7001",
    });
    expect(
      loadConfig({
        STORE_URL: "upstash://",
        UPSTASH_REDIS_REST_URL: "https://eu1.upstash.io",
        UPSTASH_REDIS_REST_TOKEN: "tok",
      }).memory.store,
    ).toEqual({ kind: "upstash", url: "https://eu1.upstash.io", token: "tok" });
  });

  test("lists parse: commands without slashes, chat ids as numbers; empty means unset", () => {
    const config = loadConfig({
      BOT_COMMANDS: "/ask, GPT",
      BOT_WHITELIST: "-1001, 42",
      CACHE_TTL_SECONDS: "",
    });
    expect(config.bot.commands).toEqual(["ask", "gpt"]);
    expect(config.bot.whitelist).toEqual([-1001, 42]);
    expect(config.memory.ttlSeconds).toBe(604_800);
  });

  test("an allowlist that names no chat (a stray comma) is an error, not 'every chat'", () => {
    expect(problems({ BOT_WHITELIST: "," })).toEqual([
      expect.stringMatching(/^BOT_WHITELIST must be comma-separated chat ids, got ","/),
    ]);
    expect(problems({ BOT_WHITELIST: " , ," })).toHaveLength(1);
    expect(loadConfig({ BOT_WHITELIST: "42," }).bot.whitelist).toEqual([42]);
  });

  test("a redis:// URL without a host or with a non-numeric database is refused", () => {
    // ioredis would quietly connect to localhost (no host) or fail later on SELECT.
    expect(problems({ STORE_URL: "redis://" })).toEqual([
      expect.stringMatching(/^STORE_URL must be .*; got a URL without a host \(redis:\/\/\)$/),
    ]);
    for (const url of ["redis://:secretpw@", "rediss://:6380/0"]) {
      const [problem] = problems({ STORE_URL: url });
      expect(problem).toMatch(/^STORE_URL must be .*; got a malformed URL$/);
      expect(problem).not.toContain("secretpw");
    }
    expect(problems({ STORE_URL: "redis://h:6379/cache" })).toEqual([
      expect.stringMatching(/got a database that is not a number \("\/cache"\)$/),
    ]);
    // A bad port is named as such; a non-numeric one is not quoted (it may be a password).
    expect(problems({ STORE_URL: "redis://h:99999" })).toEqual([
      expect.stringMatching(/got a port above 65535 \(99999\)$/),
    ]);
    const [port] = problems({ STORE_URL: "redis://default:secretpw" });
    expect(port).toMatch(/got a port that is not a number \(not shown: it may be a password\)$/);
    expect(port).not.toContain("secretpw");
    for (const url of ["redis://h", "redis://h/", "redis://h:6380/15", "redis://[::1]:6379"]) {
      expect(loadConfig({ STORE_URL: url }).memory.store).toEqual({ kind: "redis", url });
    }
  });

  test("an empty allowlist on Telegram is a start-up warning", () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN, OPENAI_API_KEY: "k" });
    expect(config.warnings).toEqual([expect.stringMatching(/BOT_WHITELIST is empty/)]);
  });

  test("secrets never survive redaction or scrubbing", () => {
    const config = loadConfig({
      BOT_TOKEN: TOKEN,
      OPENAI_API_KEY: "sk-live-abcdef",
      STORE_URL: "rediss://user:p%40ssword@redis.example:6380",
      BOT_MODE: "webhook",
      WEBHOOK_SECRET: "hook-secret-123",
    });
    const dump = JSON.stringify(redactConfig(config));
    for (const secret of [TOKEN, "sk-live-abcdef", "p%40ssword", "hook-secret-123"]) {
      expect(dump).not.toContain(secret);
    }
    const secrets = secretsOf(config);
    const line = `GET https://api.telegram.org/bot${TOKEN}/getMe failed; AUTH p@ssword; key sk-live-abcdef`;
    expect(scrub(line, secrets)).toBe(
      "GET https://api.telegram.org/bot[redacted]/getMe failed; AUTH [redacted]; key [redacted]",
    );
    expect(redactUrl("redis://:pw@h:1/0")).toBe("redis://***@h:1/0");
  });

  test("passwords with @ in them, in a query, or in a cluster URL are masked and scrubbed", () => {
    const cases: [string, string[]][] = [
      ["redis://:S3cr@tPassw0rd@redis.internal:6379", ["S3cr@tPassw0rd", "tPassw0rd"]],
      ["redis://redis.internal:6379/0?password=QueryPassw0rd", ["QueryPassw0rd"]],
      ["redis://redis.internal:6379/0?db=1&pass=Qu%26ryPass#x", ["Qu%26ryPass", "Qu&ryPass"]],
      ["redis+cluster://admin:Pa@ssw0rdXYZ@h1:7000,h2:7001", ["Pa@ssw0rdXYZ", "ssw0rdXYZ"]],
    ];
    for (const [url, passwords] of cases) {
      const config = loadConfig({
        BOT_TOKEN: TOKEN,
        OPENAI_API_KEY: "sk-live-abcdef",
        STORE_URL: url,
      });
      const dump = JSON.stringify(redactConfig(config));
      // [0] is the password (and [1] a fragment the old redaction left, or its decoded form).
      for (const password of passwords) expect(dump, url).not.toContain(password);
      const full = decodeURIComponent(passwords[0]!);
      const line = scrub(`connect failed: AUTH ${full}`, secretsOf(config));
      expect(line, url).toBe("connect failed: AUTH [redacted]");
    }
    expect(redactUrl("redis://:S3cr@t@h:1/0?password=x&db=2")).toBe(
      "redis://***@h:1/0?password=***&db=2",
    );
    expect(redactUrl("redis+cluster://u:p@ss@h1:1,h2:2")).toBe("redis+cluster://***@h1:1,h2:2");
  });

  test("one run reports every invalid variable, the checks across variables included", () => {
    const found = problems({
      BOT_TOKEN: "not-a-token",
      BOT_MODE: "webhook",
      OPENAI_BASE_URL: "localhost:11434",
      CACHE_TTL_SECONDS: "7d",
      STORE_URL: "upstash://",
      UPSTASH_REDIS_REST_TOKEN: "tok",
      MCP_SERVERS_FILE: "/nonexistent/mcp.json",
      AGENT_INSTRUCTIONS: "a",
      AGENT_INSTRUCTIONS_FILE: "/nonexistent/prompt.txt",
    });
    expect(found).toEqual([
      expect.stringMatching(/^BOT_TOKEN must look like/),
      expect.stringMatching(/^OPENAI_BASE_URL must be an http\(s\) URL/),
      expect.stringMatching(
        /^CACHE_TTL_SECONDS must be an integer from 1 to 10000000000 \(seconds\); got "7d"$/,
      ),
      expect.stringMatching(/^WEBHOOK_SECRET: required when BOT_MODE=webhook/),
      expect.stringMatching(/^AGENT_INSTRUCTIONS and AGENT_INSTRUCTIONS_FILE: set one/),
      expect.stringMatching(/^MCP_SERVERS_FILE: cannot read \/nonexistent\/mcp.json/),
      expect.stringMatching(/^UPSTASH_REDIS_REST_URL: required when STORE_URL=upstash:\/\//),
    ]);
  });

  test("a variable set but invalid is reported once, not also as missing", () => {
    // Set but malformed: the URL's own message, no "required" for it or for a model setting.
    expect(
      problems({
        BOT_TOKEN: TOKEN,
        OPENAI_BASE_URL: "ftp://models",
        STORE_URL: "upstash://",
        UPSTASH_REDIS_REST_URL: "eu1.upstash.io",
        UPSTASH_REDIS_REST_TOKEN: "tok",
        WEBHOOK_SECRET: "has spaces",
        BOT_MODE: "webhook",
      }),
    ).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET must be 1-256 characters/),
      expect.stringMatching(/^OPENAI_BASE_URL must be an http\(s\) URL/),
      expect.stringMatching(/^UPSTASH_REDIS_REST_URL must be an http\(s\) URL/),
    ]);
  });

  test("bounds read as a person says them, never 2^53 - 1", () => {
    const found = problems({
      CACHE_TTL_SECONDS: "-5",
      AGENT_MAX_CACHE_SIZE: "99999999999999999999",
      WEBHOOK_PORT: "70000",
      WEBHOOK_ACK_TIMEOUT_MS: "90000",
      CONSOLE_CHAT_ID: "me",
    });
    expect(found).toEqual([
      'WEBHOOK_PORT must be an integer from 0 to 65535 (a TCP port; 0 picks a free one); got "70000"',
      'WEBHOOK_ACK_TIMEOUT_MS must be an integer from 0 to 60000 (milliseconds a webhook request is held open while its turn runs; 0 acknowledges at once); got "90000"',
      'CACHE_TTL_SECONDS must be an integer from 1 to 10000000000 (seconds); got "-5"',
      'AGENT_MAX_CACHE_SIZE must be an integer, 1 or more (items); got "99999999999999999999"',
      'CONSOLE_CHAT_ID must be an integer (a chat id such as 42 or -1001234567890); got "me"',
    ]);
    expect(found.join("\n")).not.toMatch(/9007199254740991|between/);
  });

  test("flags: a bare -- (as pnpm passes it) is skipped; every unknown argument is named", () => {
    expect(parseArgs(["--", "--help"])).toEqual({ console: false, demo: false, help: true });
    expect(parseArgs(["--console", "--", "--demo"])).toEqual({
      console: true,
      demo: true,
      help: false,
    });
    expect(() => parseArgs(["--bogus", "-x"])).toThrow(ConfigError);
    try {
      parseArgs(["--bogus", "-x"]);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'unknown argument "--bogus" (expected --console, --demo or --help)',
        'unknown argument "-x" (expected --console, --demo or --help)',
      ]);
    }
  });

  test("a STORE_URL with a typo'd or unknown scheme is refused without echoing its password", () => {
    const cases: [string, RegExp][] = [
      [
        "redis//:S3cret@host",
        /got a value without ":\/\/" after the scheme \(did you mean redis:\/\/…\?\)$/,
      ],
      ["default:S3cret@host:6379", /got a value without a scheme such as redis:\/\/$/],
      ["reddis://:S3cret@host:6379", /got the scheme "reddis:\/\/"$/],
      ["http://:S3cret@host:6379", /got the scheme "http:\/\/"$/],
      ["rediss//default:S3cret@host", /did you mean rediss:\/\/…\?/],
    ];
    for (const [url, expected] of cases) {
      const found = problems({ STORE_URL: url });
      expect(found, url).toEqual([expect.stringMatching(/^STORE_URL must be memory:\/\//)]);
      expect(found[0], url).toMatch(expected);
      expect(found[0], url).not.toContain("S3cret");
    }
    expect(redactUrl("redis//:S3cret@host")).toBe("***@host");
    expect(redactUrl("default:S3cret@host:6379")).toBe("***@host:6379");
  });

  test("no config error carries a secret, whatever variable it quotes", () => {
    // A key pasted into the wrong variable is quoted by that variable's message: scrubbed.
    const found = problems({
      OPENAI_API_KEY: "sk-live-abcdef123",
      BOT_WHITELIST: "sk-live-abcdef123",
      UPSTASH_REDIS_REST_TOKEN: "AXyz-Token.Value",
      BOT_COMMANDS: "AXyz-Token.Value",
    });
    expect(found).toEqual([
      'BOT_COMMANDS must be a comma-separated list of commands (letters, digits, _), got "[redacted]"',
      expect.stringMatching(
        /^BOT_WHITELIST must be comma-separated chat ids .*got "\[redacted\]"$/,
      ),
    ]);
  });
});
