import type { Config } from "./types";

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
  // Without "://" (a typo such as `redis//:pw@host`, or `user:pw@host`) the whole text before
  // the last "@" counts as userinfo: better masked than echoed.
  const at = value.lastIndexOf("@", beforeQuery - 1);
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

const REDACTED = "[redacted]";

/** Replaces every occurrence of each secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Secret-bearing variables of a raw environment, for scrubbing config errors. */
export function secretsOfEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return secretList([
    env.BOT_TOKEN,
    env.WEBHOOK_SECRET,
    env.OPENAI_API_KEY,
    env.UPSTASH_REDIS_REST_TOKEN,
    ...[
      "STORE_URL",
      "OPENAI_BASE_URL",
      "UPSTASH_REDIS_REST_URL",
      "TELEGRAM_API_ROOT",
      "WEBHOOK_URL",
    ].flatMap((name) => secretsInUrl(env[name])),
  ]);
}

function secretList(values: (string | undefined)[]): string[] {
  return [...new Set(values)].filter((s): s is string => typeof s === "string" && s.length >= 4);
}

/** The secret values in this config, for scrubbing log lines and error messages. */
export function secretsOf(config: Config): string[] {
  const store = config.memory.store;
  const secrets = [
    config.telegram.token,
    config.telegram.webhook.secret,
    config.model.apiKey,
    ...secretsInUrl(config.model.baseURL),
    ...secretsInUrl(config.telegram.apiRoot),
    ...secretsInUrl(config.telegram.webhook.url),
    store.kind === "upstash" ? store.token : undefined,
    ...(store.kind === "memory" ? [] : secretsInUrl(store.url)),
    store.kind === "redis-cluster" ? store.password : undefined,
  ];
  return secretList(secrets);
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
