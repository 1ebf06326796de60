import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@agents-memory/test-servers/free-port";
import { startTelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import { BOT_DIR, spawnBot } from "./support/bot-process";

const TOKEN = "987654:AAH-very-secret-token";

describe("start-up", () => {
  test("bad config: a clear message naming each variable, exit code 1, no secret echoed", async () => {
    const bot = spawnBot({
      BOT_TOKEN: TOKEN,
      OPENAI_API_KEY: "sk-secret-key-1",
      CACHE_TTL_SECONDS: "one week",
      BOT_WHITELIST: "12,twelve",
      STORE_URL: "postgres://user:hunter22@db",
    });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    const stderr = bot.stderr();
    expect(stderr).toContain("invalid configuration");
    expect(stderr).toMatch(/CACHE_TTL_SECONDS must be an integer/);
    expect(stderr).toMatch(/BOT_WHITELIST must be comma-separated chat ids/);
    for (const secret of [TOKEN, "sk-secret-key-1", "hunter22"]) {
      expect(stderr + bot.stdout()).not.toContain(secret);
    }
  });

  test("a token without any model configuration refuses to start and says how to set one", async () => {
    const bot = spawnBot({ BOT_TOKEN: TOKEN });
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr()).toMatch(/OPENAI_API_KEY: required/);
    expect(bot.stderr()).toMatch(/OPENAI_BASE_URL .*Ollama/);
  });

  test("missing store settings name the variables", async () => {
    const bot = spawnBot({ STORE_URL: "upstash://" });
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr()).toMatch(/UPSTASH_REDIS_REST_URL: required/);
    expect(bot.stderr()).toMatch(/UPSTASH_REDIS_REST_TOKEN: required/);
  });

  test("a fresh machine: the console explains how to configure a model and runs the labelled demo", async () => {
    const bot = spawnBot({}, { stdin: "pipe" });
    bot.child.stdin!.end("hello bot\n>2 and again\n");
    expect((await bot.exited).code).toBe(0);
    const out = bot.stdout();
    expect(out).toContain("No model is configured, so this runs the offline DEMO model");
    expect(out).toContain("OPENAI_API_KEY=");
    expect(out).toContain("OPENAI_BASE_URL=http://localhost:11434/v1");
    expect(out).toMatch(/^\[#2\] \[demo\] You said: "hello bot"/m);
    expect(out).toMatch(/^\[#4\] \[demo\] You said: "and again"\.\nI remember 2 earlier messages/m);
  });

  test("every problem in one run: flags, variables and the checks across them", async () => {
    const bot = spawnBot(
      {
        BOT_TOKEN: TOKEN,
        BOT_MODE: "webhook",
        OPENAI_API_KEY: "sk-secret-key-1",
        SHUTDOWN_TIMEOUT_MS: "1e4",
        STORE_URL: "upstash://",
      },
      { args: ["--verbose"] },
    );
    expect((await bot.exited).code).toBe(1);
    const lines = bot
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("  - "));
    expect(lines).toEqual([
      expect.stringMatching(/unknown argument "--verbose"/),
      expect.stringMatching(/^ {2}- SHUTDOWN_TIMEOUT_MS must be an integer from 1 to 2147483647 /),
      expect.stringMatching(/^ {2}- WEBHOOK_SECRET: required/),
      expect.stringMatching(/^ {2}- UPSTASH_REDIS_REST_URL: required/),
      expect.stringMatching(/^ {2}- UPSTASH_REDIS_REST_TOKEN: required/),
    ]);
  });

  test("`pnpm start -- --help` from the repository root prints the usage and exits 0", async () => {
    const root = resolve(BOT_DIR, "../..");
    const { stdout, stderr } = await promisify(execFile)("pnpm", ["start", "--", "--help"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(stdout).toContain("Usage: node apps/bot/dist/main.js [--console] [--demo] [--help]");
    expect(stdout + stderr).not.toMatch(/unknown argument|ERR_PNPM|ELIFECYCLE/);
  });

  test("an unreachable Bot API: 3 retries, then exit 1 naming the API root and the cause", async () => {
    const port = await freePort();
    const root = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const bot = spawnBot({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: root, OPENAI_API_KEY: "k" });
    expect((await bot.exited).code).toBe(1);
    // 0.5 + 1 + 2 s between the 4 attempts, then out (grammY's init alone would retry forever).
    expect(Date.now() - started).toBeLessThan(15_000);
    const attempts = bot.logs.filter((l) => l.method === "getMe").map((l) => l.attempt);
    expect(attempts).toEqual([1, 2, 3, 4]);
    const fatal = bot.logs.find((l) => l.msg === "start-up failed") as any;
    expect(fatal.err.message).toBe(`cannot reach the Telegram Bot API at ${root}`);
    expect(JSON.stringify(fatal.err)).toContain(`ECONNREFUSED`);
    expect(bot.stdout() + bot.stderr()).not.toContain(TOKEN);
  });

  test("a token the Bot API refuses: exit 1 at once, saying so", async () => {
    const tg = await startTelegramServer();
    try {
      const bot = spawnBot({
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: tg.apiRoot,
        OPENAI_API_KEY: "k",
      });
      expect((await bot.exited).code).toBe(1);
      const fatal = bot.logs.find((l) => l.msg === "start-up failed") as any;
      expect(fatal.err.message).toBe(
        `the Telegram Bot API at ${tg.apiRoot} refused BOT_TOKEN (401 Unauthorized)`,
      );
      expect(fatal.err.cause).toMatchObject({ type: "GrammyError", status: 401, method: "getMe" });
    } finally {
      await tg.close();
    }
  });

  test("a STORE_URL with a scheme typo: exit 1, the password never printed", async () => {
    for (const url of ["redis//:S3cretPw@db.internal", "default:S3cretPw@db.internal:6379"]) {
      const bot = spawnBot({ STORE_URL: url });
      expect((await bot.exited).code, url).toBe(1);
      expect(bot.stderr(), url).toMatch(/STORE_URL must be memory:\/\//);
      expect(bot.stdout() + bot.stderr(), url).not.toContain("S3cretPw");
    }
  });
});
