import { DEFAULT_READ_TIMEOUT_MS } from "@agents-memory/core";
import type { CliFlags } from "./cli";
import { ConfigError } from "./config-error";
import { DEFAULTS } from "./defaults";
import { resolveInstructions } from "./instructions";
import { readMcpServers } from "./mcp-file";
import { longestModelRequestMs, resolveModel } from "./model";
import { scrub, secretsOfEnv } from "./redact";
import { envSchema, nonEmpty } from "./schema";
import { resolveStore } from "./store-url";
import type { Config } from "./types";

/**
 * Validates the environment. Throws {@link ConfigError} listing every problem at once (one per
 * variable, each naming the variable and what it expects); never includes a secret's value.
 */
export function loadConfig(
  rawEnv: NodeJS.ProcessEnv,
  flags: CliFlags = { console: false, demo: false, help: false },
): Config {
  const raw = nonEmpty(rawEnv);
  const parsed = envSchema.safeParse(raw);
  const problems: string[] = [];
  const invalid = new Set<string>();
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const name = String(issue.path[0] ?? "config");
    invalid.add(name);
    problems.push(issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`);
  }
  // The checks across variables still run, with each invalid one as if unset, so one run
  // reports everything; a variable already reported is not reported again.
  const env = parsed.success ? parsed.data : envSchema.parse(withoutKeys(raw, invalid));
  const crossProblems: string[] = [];
  const warnings: string[] = [];
  const transport = raw.BOT_TOKEN && !flags.console ? "telegram" : "console";

  if (transport === "telegram" && env.BOT_MODE === "webhook" && !raw.WEBHOOK_SECRET) {
    crossProblems.push(
      "WEBHOOK_SECRET: required when BOT_MODE=webhook (Telegram sends it in X-Telegram-Bot-Api-Secret-Token)",
    );
  }

  const model = resolveModel(env, flags, transport, crossProblems, invalid);
  const instructions = resolveInstructions(env, crossProblems);
  const mcpServers = env.MCP_SERVERS_FILE
    ? readMcpServers(env.MCP_SERVERS_FILE, crossProblems)
    : [];
  const store = resolveStore(env, crossProblems, warnings);
  const longest = longestModelRequestMs(env.OPENAI_TIMEOUT_MS);
  if (
    transport === "telegram" &&
    env.BOT_MODE === "webhook" &&
    !model.demo &&
    env.SHUTDOWN_TIMEOUT_MS < longest
  ) {
    warnings.push(
      `SHUTDOWN_TIMEOUT_MS=${env.SHUTDOWN_TIMEOUT_MS} is shorter than one model request can take (${longest} ms: OPENAI_TIMEOUT_MS=${env.OPENAI_TIMEOUT_MS} for each of ${DEFAULTS.modelMaxRetries + 1} attempts, plus the backoff between them): in webhook mode, a turn still running at shutdown is refused to Telegram to deliver again, or lost once acknowledged after WEBHOOK_ACK_TIMEOUT_MS (each is logged)`,
    );
  }
  const whitelist = env.BOT_WHITELIST ?? [];
  if (transport === "telegram" && whitelist.length === 0) {
    warnings.push("BOT_WHITELIST is empty: the bot answers in every chat");
  }
  for (const problem of crossProblems) {
    const about = /^[A-Z_]+/.exec(problem)?.[0];
    if (!about || !invalid.has(about)) problems.push(problem);
  }
  if (problems.length > 0) {
    const secrets = secretsOfEnv(raw);
    throw new ConfigError(problems.map((problem) => scrub(problem, secrets)));
  }

  return {
    transport,
    telegram: {
      token: env.BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
      mode: env.BOT_MODE,
      webhook: {
        secret: env.WEBHOOK_SECRET,
        host: env.WEBHOOK_HOST,
        port: env.WEBHOOK_PORT,
        path: env.WEBHOOK_PATH,
        url: env.WEBHOOK_URL,
        ackTimeoutMs: env.WEBHOOK_ACK_TIMEOUT_MS,
      },
    },
    bot: {
      commands: env.BOT_COMMANDS ?? [...DEFAULTS.commands],
      whitelist,
      errorText: env.BOT_ERROR_TEXT,
      parseMode: env.BOT_PARSE_MODE,
      streamAnswers: env.STREAM_ANSWERS === "on",
    },
    model,
    agent: {
      name: env.AGENT_NAME,
      instructions,
      mcpServers,
      mcpConnectTimeoutMs: env.MCP_CONNECT_TIMEOUT_MS,
    },
    memory: {
      store,
      ttlSeconds: env.CACHE_TTL_SECONDS,
      maxItems: env.AGENT_MAX_CACHE_SIZE,
      maxTokens: env.AGENT_MAX_TOKENS,
      summary: env.AGENT_SUMMARY === "on",
      dailyTokenBudget: env.AGENT_DAILY_TOKEN_BUDGET,
      keyPrefix: env.STORE_KEY_PREFIX,
      // The library's read budget, chosen for a store on another continent (core README, "Budgets").
      timeoutMs: env.STORE_TIMEOUT_MS ?? DEFAULT_READ_TIMEOUT_MS,
    },
    console: { chatId: env.CONSOLE_CHAT_ID },
    health: {
      statsIntervalSeconds: env.STATS_INTERVAL_SECONDS,
      port: env.HEALTH_PORT,
      host: env.HEALTH_HOST,
    },
    logLevel: env.LOG_LEVEL ?? (transport === "console" ? "warn" : "info"),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    updateLeaseMs: env.UPDATE_LEASE_MS,
    warnings,
  };
}

function withoutKeys(env: Record<string, string>, keys: ReadonlySet<string>) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !keys.has(key)));
}
