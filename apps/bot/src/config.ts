import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";

/** Defaults a deployment inherits when a variable is not set. */
export const DEFAULTS = {
  telegramApiRoot: "https://api.telegram.org",
  commands: ["a", "gpt"],
  errorText: "Sorry, something went wrong while answering. Please try again later.",
  model: "gpt-4.1-mini",
  agentName: "Assistant",
  instructions: [
    "You are a helpful assistant in a Telegram chat.",
    "Each user message starts with the sender as `Name(username): `; a message the user",
    "replied to comes first, then a blank line, then the new message.",
    "Answer in the language of the question, concisely. You may use Markdown:",
    "**bold**, _italic_, `code`, ``` code blocks ``` and [links](https://example.com).",
  ].join("\n"),
  storeUrl: "memory://",
  ttlSeconds: 604_800,
  maxItems: 50,
  keyPrefix: "bot",
  webhookHost: "0.0.0.0",
  webhookPort: 8080,
  webhookPath: "/telegram",
  mcpConnectTimeoutMs: 10_000,
  shutdownTimeoutMs: 60_000,
  /** One model request (the OpenAI client's own default is 10 minutes). */
  modelTimeoutMs: 120_000,
} as const;

/** setTimeout fires at once (after 1 ms, with a warning) for any delay above this. */
const MAX_TIMER_MS = 2_147_483_647;

/** The value of `OPENAI_MODEL` (or the `--demo` flag) that selects the offline demo model. */
export const DEMO_MODEL = "demo";

export type StoreConfig =
  | { kind: "memory" }
  | { kind: "redis"; url: string }
  | {
      kind: "redis-cluster";
      nodes: { host: string; port: number }[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
      url: string;
    }
  | { kind: "upstash"; url: string; token: string };

export interface McpServerConfig {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface Config {
  /** Where the bot talks: Telegram (a token is set) or the terminal. */
  transport: "telegram" | "console";
  telegram: {
    token: string | undefined;
    apiRoot: string;
    mode: "polling" | "webhook";
    webhook: {
      secret: string | undefined;
      host: string;
      port: number;
      path: string;
      /** Public URL to register with setWebhook at start; unset: register it yourself. */
      url: string | undefined;
    };
  };
  bot: {
    /** Agent commands without the slash, lowercase. */
    commands: string[];
    /** Allowed chat ids; empty allows every chat. */
    whitelist: number[];
    errorText: string;
    parseMode: "html" | "plain";
  };
  model: {
    /** "demo" is the offline demo model. */
    name: string;
    demo: boolean;
    /** Why the demo model was chosen, for the banner: asked for, or nothing configured. */
    demoReason: "requested" | "unconfigured" | undefined;
    apiKey: string | undefined;
    baseURL: string | undefined;
    api: "responses" | "chat";
    /** One model request's budget, in ms (the client retries a timed-out request twice). */
    timeoutMs: number;
  };
  agent: {
    name: string;
    instructions: string;
    mcpServers: McpServerConfig[];
    mcpConnectTimeoutMs: number;
  };
  memory: {
    store: StoreConfig;
    ttlSeconds: number;
    maxItems: number;
    keyPrefix: string;
    /** Budget of one store call, in ms: 250 (memory, Redis) or 1000 (Upstash) unless set. */
    timeoutMs: number;
  };
  console: { chatId: number | undefined };
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Notes for the start-up log (e.g. an empty allowlist, an Upstash URL left unused). */
  warnings: string[];
}

/** Bad or missing configuration; `problems` name each variable and what it expects. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export interface CliFlags {
  console: boolean;
  demo: boolean;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): CliFlags {
  const flags: CliFlags = { console: false, demo: false, help: false };
  for (const arg of argv) {
    if (arg === "--console") flags.console = true;
    else if (arg === "--demo") flags.demo = true;
    else if (arg === "--help" || arg === "-h") flags.help = true;
    else
      throw new ConfigError([
        `unknown argument ${JSON.stringify(arg)} (expected --console, --demo or --help)`,
      ]);
  }
  return flags;
}

/**
 * Loads `.env` files without overriding variables already set: `ENV_FILE` if given, else
 * `.env` in the directory the command was started from (`INIT_CWD`, set by pnpm) and in the
 * current directory. Returns the files read.
 */
export function loadEnvFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = env.ENV_FILE
    ? [resolve(env.ENV_FILE)]
    : [...new Set([env.INIT_CWD, process.cwd()].filter(Boolean).map((d) => resolve(d!, ".env")))];
  const loaded: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      if (env.ENV_FILE) throw new ConfigError([`ENV_FILE: ${file} does not exist`]);
      continue;
    }
    process.loadEnvFile(file);
    loaded.push(file);
  }
  return loaded;
}

// --- the schema ------------------------------------------------------------------------------

const optionalString = z.string().optional();

function integer(name: string, options: { min: number; max?: number }) {
  const { min, max = Number.MAX_SAFE_INTEGER } = options;
  return z
    .string()
    .regex(/^-?\d+$/, `${name} must be an integer`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max, {
      message: `${name} must be an integer between ${min} and ${max}`,
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

const envSchema = z.object({
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
  WEBHOOK_PORT: integer("WEBHOOK_PORT", { min: 0, max: 65_535 }).default(DEFAULTS.webhookPort),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\/\S*$/, "WEBHOOK_PATH must start with /")
    .default(DEFAULTS.webhookPath),
  WEBHOOK_URL: z
    .string()
    .refine((v) => /^https:\/\//.test(v), "WEBHOOK_URL must be an https:// URL")
    .optional(),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl("OPENAI_BASE_URL").optional(),
  OPENAI_MODEL: z.string().default(DEFAULTS.model),
  OPENAI_TIMEOUT_MS: integer("OPENAI_TIMEOUT_MS", { min: 1, max: MAX_TIMER_MS }).default(
    DEFAULTS.modelTimeoutMs,
  ),
  OPENAI_API: z
    .enum(["responses", "chat"], {
      message: 'OPENAI_API must be "responses" (Responses API) or "chat" (Chat Completions)',
    })
    .default("responses"),
  AGENT_NAME: z.string().default(DEFAULTS.agentName),
  AGENT_INSTRUCTIONS: optionalString,
  AGENT_INSTRUCTIONS_FILE: optionalString,
  MCP_SERVERS_FILE: optionalString,
  MCP_CONNECT_TIMEOUT_MS: integer("MCP_CONNECT_TIMEOUT_MS", { min: 1, max: MAX_TIMER_MS }).default(
    DEFAULTS.mcpConnectTimeoutMs,
  ),
  STORE_URL: z.string().default(DEFAULTS.storeUrl),
  UPSTASH_REDIS_REST_URL: httpUrl("UPSTASH_REDIS_REST_URL").optional(),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  STORE_TIMEOUT_MS: integer("STORE_TIMEOUT_MS", { min: 1, max: MAX_TIMER_MS }).optional(),
  STORE_KEY_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z0-9_.\-:{}]{1,64}$/,
      "STORE_KEY_PREFIX may hold letters, digits and _ . - : { }",
    )
    .default(DEFAULTS.keyPrefix),
  CACHE_TTL_SECONDS: integer("CACHE_TTL_SECONDS", { min: 1 }).default(DEFAULTS.ttlSeconds),
  AGENT_MAX_CACHE_SIZE: integer("AGENT_MAX_CACHE_SIZE", { min: 1 }).default(DEFAULTS.maxItems),
  CONSOLE_CHAT_ID: integer("CONSOLE_CHAT_ID", { min: Number.MIN_SAFE_INTEGER }).optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional(),
  SHUTDOWN_TIMEOUT_MS: integer("SHUTDOWN_TIMEOUT_MS", { min: 1, max: MAX_TIMER_MS }).default(
    DEFAULTS.shutdownTimeoutMs,
  ),
});

type Env = z.infer<typeof envSchema>;

/** Unset and empty (`KEY=` in .env) are the same: "not set". */
function nonEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") out[key] = value.trim();
  }
  return out;
}

/**
 * Validates the environment. Throws {@link ConfigError} listing every problem, each naming
 * the variable and what it expects; never includes a secret's value.
 */
export function loadConfig(
  rawEnv: NodeJS.ProcessEnv,
  flags: CliFlags = { console: false, demo: false, help: false },
): Config {
  const parsed = envSchema.safeParse(nonEmpty(rawEnv));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "config");
        return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
      }),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  const warnings: string[] = [];
  const transport = env.BOT_TOKEN && !flags.console ? "telegram" : "console";

  if (transport === "telegram" && env.BOT_MODE === "webhook" && !env.WEBHOOK_SECRET) {
    problems.push(
      "WEBHOOK_SECRET: required when BOT_MODE=webhook (Telegram sends it in X-Telegram-Bot-Api-Secret-Token)",
    );
  }

  const model = resolveModel(env, flags, transport, problems);
  const instructions = resolveInstructions(env, problems);
  const mcpServers = env.MCP_SERVERS_FILE ? readMcpServers(env.MCP_SERVERS_FILE, problems) : [];
  const store = resolveStore(env, problems, warnings);
  const whitelist = env.BOT_WHITELIST ?? [];
  if (transport === "telegram" && whitelist.length === 0) {
    warnings.push("BOT_WHITELIST is empty: the bot answers in every chat");
  }
  if (problems.length > 0) throw new ConfigError(problems);

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
      },
    },
    bot: {
      commands: env.BOT_COMMANDS ?? [...DEFAULTS.commands],
      whitelist,
      errorText: env.BOT_ERROR_TEXT,
      parseMode: env.BOT_PARSE_MODE,
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
      keyPrefix: env.STORE_KEY_PREFIX,
      timeoutMs: env.STORE_TIMEOUT_MS ?? (store.kind === "upstash" ? 1000 : 250),
    },
    console: { chatId: env.CONSOLE_CHAT_ID },
    logLevel: env.LOG_LEVEL ?? (transport === "console" ? "warn" : "info"),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    warnings,
  };
}

function resolveModel(
  env: Env,
  flags: CliFlags,
  transport: Config["transport"],
  problems: string[],
): Config["model"] {
  const requested = flags.demo || env.OPENAI_MODEL === DEMO_MODEL;
  const configured = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  // The demo model is only ever chosen on its own when nothing at all is configured and the
  // bot runs in the terminal: a fresh checkout. A deployment never falls back to it.
  const unconfigured = !requested && !configured && transport === "console";
  if (!requested && !configured && transport === "telegram") {
    problems.push(
      "OPENAI_API_KEY: required (an OpenAI API key), or set OPENAI_BASE_URL to an OpenAI-compatible server such as Ollama (http://localhost:11434/v1) or llama.cpp (http://localhost:8080/v1); OPENAI_MODEL=demo selects the offline demo model",
    );
  }
  const demo = requested || unconfigured;
  return {
    name: demo ? DEMO_MODEL : env.OPENAI_MODEL,
    demo,
    demoReason: requested ? "requested" : unconfigured ? "unconfigured" : undefined,
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    api: env.OPENAI_API,
    timeoutMs: env.OPENAI_TIMEOUT_MS,
  };
}

function resolveInstructions(env: Env, problems: string[]): string {
  if (env.AGENT_INSTRUCTIONS && env.AGENT_INSTRUCTIONS_FILE) {
    problems.push("AGENT_INSTRUCTIONS and AGENT_INSTRUCTIONS_FILE: set one of them, not both");
    return "";
  }
  if (env.AGENT_INSTRUCTIONS_FILE) {
    const file = resolveFromStartDir(env.AGENT_INSTRUCTIONS_FILE);
    try {
      const text = readFileSync(file, "utf8").trim();
      if (!text) problems.push(`AGENT_INSTRUCTIONS_FILE: ${file} is empty`);
      return text;
    } catch (error) {
      problems.push(`AGENT_INSTRUCTIONS_FILE: cannot read ${file} (${(error as Error).message})`);
      return "";
    }
  }
  return env.AGENT_INSTRUCTIONS?.replace(/\\n/g, "\n") ?? DEFAULTS.instructions;
}

/** Relative paths are relative to where the command was started (pnpm runs scripts elsewhere). */
function resolveFromStartDir(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

const mcpFileSchema = z.object({
  mcpServers: z.record(
    z.string(),
    z.object({
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      env: z.record(z.string(), z.string()).optional(),
      cwd: z.string().optional(),
    }),
  ),
});

function readMcpServers(path: string, problems: string[]): McpServerConfig[] {
  const file = resolveFromStartDir(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    problems.push(`MCP_SERVERS_FILE: cannot read ${file} as JSON (${(error as Error).message})`);
    return [];
  }
  const parsed = mcpFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    problems.push(
      `MCP_SERVERS_FILE: ${file} must be {"mcpServers": {"<name>": {"command": "...", "args": [...], "env": {...}}}} (${issue.path.join(".") || "root"}: ${issue.message})`,
    );
    return [];
  }
  return Object.entries(parsed.data.mcpServers).map(([name, server]) => ({
    name,
    command: server.command,
    args: server.args,
    ...(server.env ? { env: server.env } : {}),
    ...(server.cwd ? { cwd: resolveFromStartDir(server.cwd) } : {}),
  }));
}

const STORE_EXPECTED =
  "STORE_URL must be memory://, redis://[:password@]host:port[/db], rediss://…, redis+cluster://host:port,host:port or upstash:// (with UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)";

function resolveStore(env: Env, problems: string[], warnings: string[]): StoreConfig {
  const raw = env.STORE_URL;
  const scheme = /^([a-z+]+):\/\//i.exec(raw)?.[1]?.toLowerCase();
  switch (scheme) {
    case "memory":
      if (env.UPSTASH_REDIS_REST_URL) {
        warnings.push(
          "UPSTASH_REDIS_REST_URL is set but STORE_URL is memory://: set STORE_URL=upstash:// to use Upstash",
        );
      }
      return { kind: "memory" };
    case "redis":
    case "rediss": {
      const problem = redisUrlProblem(raw);
      if (problem) problems.push(`${STORE_EXPECTED}; got ${problem}`);
      return { kind: "redis", url: raw };
    }
    case "redis+cluster":
    case "rediss+cluster": {
      // redis+cluster://[user:password@]host:port,host:port — seed nodes of one Cluster.
      const rest = raw.slice(raw.indexOf("://") + 3);
      const at = rest.lastIndexOf("@");
      const auth = at >= 0 ? rest.slice(0, at) : "";
      const colon = auth.indexOf(":");
      const username = colon >= 0 ? auth.slice(0, colon) : "";
      const password = colon >= 0 ? auth.slice(colon + 1) : auth;
      const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/.*$/, "");
      const nodes = hosts
        .split(",")
        .map((h) => h.trim())
        .filter(Boolean)
        .map((h) => {
          const match = /^([^:]+)(?::(\d+))?$/.exec(h);
          return match ? { host: match[1]!, port: Number(match[2] ?? 6379) } : undefined;
        });
      if (nodes.length === 0 || nodes.some((n) => n === undefined)) {
        problems.push(`${STORE_EXPECTED}; got a malformed cluster node list`);
      }
      return {
        kind: "redis-cluster",
        nodes: nodes.filter((n) => n !== undefined),
        username: username ? decodeURIComponent(username) : undefined,
        password: password ? decodeURIComponent(password) : undefined,
        tls: scheme === "rediss+cluster",
        url: raw,
      };
    }
    case "upstash":
    case "https": {
      // upstash:// takes the REST URL from UPSTASH_REDIS_REST_URL; https://… is the REST URL.
      const url = scheme === "https" ? raw : env.UPSTASH_REDIS_REST_URL;
      const token = env.UPSTASH_REDIS_REST_TOKEN;
      if (!url) problems.push("UPSTASH_REDIS_REST_URL: required when STORE_URL=upstash://");
      if (!token) problems.push("UPSTASH_REDIS_REST_TOKEN: required for the Upstash store");
      return { kind: "upstash", url: url ?? "", token: token ?? "" };
    }
    default:
      problems.push(`${STORE_EXPECTED}; got ${JSON.stringify(redactUrl(raw))}`);
      return { kind: "memory" };
  }
}

/**
 * What is wrong with a redis:// URL, if anything. ioredis falls back to localhost for a missing
 * host and to db 0 for a path it cannot read, so `redis://${UNSET}` would quietly use some
 * other Redis: both are refused here.
 */
function redisUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "a malformed URL";
  }
  if (url.hostname === "") return `a URL without a host (${redactUrl(raw)})`;
  if (!/^\/?(\d+)?$/.test(url.pathname)) {
    return `a database that is not a number (${JSON.stringify(url.pathname)})`;
  }
  return undefined;
}

// --- redaction -------------------------------------------------------------------------------

/**
 * Where a URL's credentials are: the userinfo runs to the LAST "@" before the query (as WHATWG
 * URL and ioredis read it, so `redis://:p@ss@host` has the password `p@ss`), and a query may
 * carry a password too (`?password=`, which ioredis accepts).
 */
function credentialParts(value: string): { userinfo?: [number, number]; query: string[] } {
  const start = value.indexOf("://");
  const authorityStart = start < 0 ? 0 : start + 3;
  const queryAt = value.slice(authorityStart).search(/[?#]/);
  const beforeQuery = queryAt < 0 ? value.length : authorityStart + queryAt;
  const at = start < 0 ? -1 : value.lastIndexOf("@", beforeQuery - 1);
  const query = [...value.slice(beforeQuery).matchAll(QUERY_SECRET)].map((m) => m[2]!);
  return { userinfo: at >= authorityStart ? [authorityStart, at] : undefined, query };
}

const QUERY_SECRET = /([?&](?:password|pass|pwd|auth|token|secret)=)([^&#]*)/gi;

/** A URL with its credentials (userinfo, password query parameters) replaced by `***`. */
export function redactUrl(value: string): string {
  const { userinfo } = credentialParts(value);
  const masked = userinfo ? `${value.slice(0, userinfo[0])}***${value.slice(userinfo[1])}` : value;
  return masked.replace(QUERY_SECRET, "$1***");
}

/** The secret strings inside a URL, as written and decoded, for scrubbing. */
function secretsInUrl(value: string | undefined): string[] {
  if (!value) return [];
  const { userinfo, query } = credentialParts(value);
  const found = [...query];
  if (userinfo) {
    const auth = value.slice(userinfo[0], userinfo[1]);
    found.push(auth, auth.slice(auth.indexOf(":") + 1));
  }
  return found.flatMap((secret) => [secret, safeDecode(secret)]);
}

/** The secret values in this config, for scrubbing log lines and error messages. */
export function secretsOf(config: Config): string[] {
  const store = config.memory.store;
  const secrets = [
    config.telegram.token,
    config.telegram.webhook.secret,
    config.model.apiKey,
    ...secretsInUrl(config.model.baseURL),
    store.kind === "upstash" ? store.token : undefined,
    ...(store.kind === "memory" ? [] : secretsInUrl(store.url)),
    store.kind === "redis-cluster" ? store.password : undefined,
  ];
  return [...new Set(secrets)].filter((s): s is string => typeof s === "string" && s.length >= 4);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The config as it may be logged: secrets masked, URLs without credentials. */
export function redactConfig(config: Config): Record<string, unknown> {
  const mask = (v: string | undefined) => (v ? "***" : undefined);
  const store = config.memory.store;
  return {
    transport: config.transport,
    telegram: {
      ...config.telegram,
      token: mask(config.telegram.token),
      webhook: { ...config.telegram.webhook, secret: mask(config.telegram.webhook.secret) },
    },
    bot: config.bot,
    model: {
      ...config.model,
      apiKey: mask(config.model.apiKey),
      baseURL: config.model.baseURL && redactUrl(config.model.baseURL),
    },
    agent: {
      name: config.agent.name,
      instructionsChars: config.agent.instructions.length,
      mcpServers: config.agent.mcpServers.map((s) => s.name),
    },
    memory: {
      ...config.memory,
      store:
        store.kind === "memory"
          ? store
          : store.kind === "upstash"
            ? { kind: store.kind, url: redactUrl(store.url), token: "***" }
            : { kind: store.kind, url: redactUrl(store.url) },
    },
  };
}
