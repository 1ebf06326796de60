/** The environment variables the bot reads, their shapes and their error messages (zod). */
import { MAX_TTL_SECONDS } from "@agents-memory/core";
import { z } from "zod";
import { DEFAULTS } from "./defaults";

/** setTimeout fires at once (after 1 ms, with a warning) for any delay above this. */
const MAX_TIMER_MS = 2_147_483_647;

const optionalString = z.string().optional();

interface IntegerRule {
  /** Smallest allowed value; unset: any (a chat id). */
  min?: number;
  /** Largest allowed value; unset: no bound worth naming (up to 2^53 - 1). */
  max?: number;
  /** What the number counts, named after the bound ("seconds", "milliseconds, …"). */
  unit?: string;
}

/** An integer variable whose message states its bounds as a person would say them. */
function integer(name: string, rule: IntegerRule) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = rule;
  const range =
    rule.min === undefined
      ? ""
      : rule.max === undefined
        ? `, ${rule.min} or more`
        : ` from ${rule.min} to ${rule.max}`;
  const expected = `${name} must be an integer${range}${rule.unit ? ` (${rule.unit})` : ""}`;
  return z.string().transform((value, ctx) => {
    const n = Number(value);
    if (/^-?\d+$/.test(value) && Number.isSafeInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `${expected}; got ${JSON.stringify(value)}` });
    return z.NEVER;
  });
}

/** A timer's budget: setTimeout cannot wait longer than MAX_TIMER_MS. */
function milliseconds(name: string) {
  return integer(name, {
    min: 1,
    max: MAX_TIMER_MS,
    unit: "milliseconds; the upper bound, about 24.8 days, is the longest a timer can wait",
  });
}

function httpUrl(name: string) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:";
      } catch {
        return false;
      }
    },
    { message: `${name} must be an http(s) URL` },
  );
}

const commandList = z.string().transform((value, ctx) => {
  const commands = value
    .split(",")
    .map((c) => c.trim().replace(/^\//, "").toLowerCase())
    .filter(Boolean);
  const bad = commands.filter((c) => !/^[a-z0-9_]{1,32}$/.test(c));
  if (commands.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `BOT_COMMANDS must be a comma-separated list of commands (letters, digits, _), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return [...new Set(commands)];
});

const chatIdList = z.string().transform((value, ctx) => {
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const ids: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!/^-?\d+$/.test(part) || !Number.isSafeInteger(n)) {
      ctx.addIssue({
        code: "custom",
        message: `BOT_WHITELIST must be comma-separated chat ids (integers like 123 or -1001234567890), got ${JSON.stringify(part)}`,
      });
      return z.NEVER;
    }
    ids.push(n);
  }
  // "" is unset (every chat, warned below); "," or " , " names no chat, which is a typo.
  if (ids.length === 0 && value.trim() !== "") {
    ctx.addIssue({
      code: "custom",
      message: `BOT_WHITELIST must be comma-separated chat ids, got ${JSON.stringify(value)} (leave it empty to serve every chat)`,
    });
    return z.NEVER;
  }
  return ids;
});

export const envSchema = z.object({
  BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, "BOT_TOKEN must look like 123456:ABC-DEF… (from @BotFather)")
    .optional(),
  TELEGRAM_API_ROOT: httpUrl("TELEGRAM_API_ROOT").default(DEFAULTS.telegramApiRoot),
  BOT_MODE: z
    .enum(["polling", "webhook"], { message: 'BOT_MODE must be "polling" or "webhook"' })
    .default("polling"),
  BOT_COMMANDS: commandList.optional(),
  BOT_WHITELIST: chatIdList.optional(),
  BOT_ERROR_TEXT: z.string().default(DEFAULTS.errorText),
  BOT_PARSE_MODE: z
    .enum(["html", "plain"], { message: 'BOT_PARSE_MODE must be "html" or "plain"' })
    .default("html"),
  WEBHOOK_SECRET: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{1,256}$/,
      "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)",
    )
    .optional(),
  WEBHOOK_HOST: z.string().default(DEFAULTS.webhookHost),
  WEBHOOK_PORT: integer("WEBHOOK_PORT", {
    min: 0,
    max: 65_535,
    unit: "a TCP port; 0 picks a free one",
  }).default(DEFAULTS.webhookPort),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\/\S*$/, "WEBHOOK_PATH must start with /")
    .default(DEFAULTS.webhookPath),
  WEBHOOK_ACK_TIMEOUT_MS: integer("WEBHOOK_ACK_TIMEOUT_MS", {
    min: 0,
    max: 60_000,
    unit: "milliseconds a webhook request is held open while its turn runs; 0 acknowledges at once",
  }).default(DEFAULTS.webhookAckTimeoutMs),
  WEBHOOK_URL: z
    .string()
    .refine((v) => /^https:\/\//.test(v), "WEBHOOK_URL must be an https:// URL")
    .optional(),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl("OPENAI_BASE_URL").optional(),
  OPENAI_MODEL: z.string().default(DEFAULTS.model),
  OPENAI_TIMEOUT_MS: milliseconds("OPENAI_TIMEOUT_MS").default(DEFAULTS.modelTimeoutMs),
  OPENAI_API: z
    .enum(["responses", "chat"], {
      message: 'OPENAI_API must be "responses" (Responses API) or "chat" (Chat Completions)',
    })
    .default("responses"),
  AGENT_NAME: z.string().default(DEFAULTS.agentName),
  AGENT_INSTRUCTIONS: optionalString,
  AGENT_INSTRUCTIONS_FILE: optionalString,
  MCP_SERVERS_FILE: optionalString,
  MCP_CONNECT_TIMEOUT_MS: milliseconds("MCP_CONNECT_TIMEOUT_MS").default(
    DEFAULTS.mcpConnectTimeoutMs,
  ),
  STORE_URL: z.string().default(DEFAULTS.storeUrl),
  UPSTASH_REDIS_REST_URL: httpUrl("UPSTASH_REDIS_REST_URL").optional(),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  STORE_TIMEOUT_MS: milliseconds("STORE_TIMEOUT_MS").optional(),
  STORE_KEY_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z0-9_.\-:{}]{1,64}$/,
      "STORE_KEY_PREFIX may hold letters, digits and _ . - : { }",
    )
    .default(DEFAULTS.keyPrefix),
  CACHE_TTL_SECONDS: integer("CACHE_TTL_SECONDS", {
    min: 1,
    max: MAX_TTL_SECONDS,
    unit: "seconds",
  }).default(DEFAULTS.ttlSeconds),
  AGENT_MAX_CACHE_SIZE: integer("AGENT_MAX_CACHE_SIZE", { min: 1, unit: "items" }).default(
    DEFAULTS.maxItems,
  ),
  AGENT_MAX_TOKENS: integer("AGENT_MAX_TOKENS", { min: 1, unit: "tokens" }).optional(),
  AGENT_SUMMARY: z
    .enum(["on", "off"], { message: 'AGENT_SUMMARY must be "on" or "off"' })
    .default("off"),
  AGENT_DAILY_TOKEN_BUDGET: integer("AGENT_DAILY_TOKEN_BUDGET", {
    min: 1,
    unit: "tokens per user per UTC day",
  }).optional(),
  CONSOLE_CHAT_ID: integer("CONSOLE_CHAT_ID", {
    unit: "a chat id such as 42 or -1001234567890",
  }).optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional(),
  SHUTDOWN_TIMEOUT_MS: milliseconds("SHUTDOWN_TIMEOUT_MS").default(DEFAULTS.shutdownTimeoutMs),
  STREAM_ANSWERS: z
    .enum(["on", "off"], { message: 'STREAM_ANSWERS must be "on" or "off"' })
    .default("on"),
  UPDATE_LEASE_MS: integer("UPDATE_LEASE_MS", {
    min: 300,
    max: 3_600_000,
    unit: "milliseconds a claim on an update lasts unless renewed",
  }).default(DEFAULTS.updateLeaseMs),
  STATS_INTERVAL_SECONDS: integer("STATS_INTERVAL_SECONDS", {
    min: 0,
    max: 3_600,
    unit: "seconds between stats lines; 0 turns them off",
  }).default(DEFAULTS.statsIntervalSeconds),
  HEALTH_HOST: z.string().default(DEFAULTS.healthHost),
  HEALTH_PORT: integer("HEALTH_PORT", {
    min: 0,
    max: 65_535,
    unit: "a TCP port; 0 picks a free one",
  }).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Unset and empty (`KEY=` in .env) are the same: "not set". */
export function nonEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") out[key] = value.trim();
  }
  return out;
}
