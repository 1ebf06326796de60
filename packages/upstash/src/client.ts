import { RequestNotSentError, type RequestReach } from "@agents-memory/core";
import { urlParseProblem } from "@agents-memory/core/store";
import { Redis } from "@upstash/redis";

/** The environment variables Upstash's console and integrations set. */
export const ENV_URL = "UPSTASH_REDIS_REST_URL";
/** The REST token's variable; see {@link ENV_URL}. */
export const ENV_TOKEN = "UPSTASH_REDIS_REST_TOKEN";
/** What Vercel's KV integration sets; read as a fallback, like `Redis.fromEnv()` does. */
const ENV_URL_FALLBACK = "KV_REST_API_URL";
const ENV_TOKEN_FALLBACK = "KV_REST_API_TOKEN";

/** `{ url, token }` from `UPSTASH_REDIS_REST_URL` / `UPSTASH_REDIS_REST_TOKEN` (or `KV_REST_API_*`). */
export function credentialsFromEnv(): {
  /** The REST URL, or undefined when neither variable is set (or set empty). */
  url: string | undefined;
  /** The REST token, or undefined likewise. */
  token: string | undefined;
} {
  const env: Record<string, string | undefined> =
    typeof process === "object" && process?.env ? process.env : {};
  return {
    url: env[ENV_URL] || env[ENV_URL_FALLBACK] || undefined,
    token: env[ENV_TOKEN] || env[ENV_TOKEN_FALLBACK] || undefined,
  };
}

/**
 * The REST URL, checked before the client sees it: the client's own errors quote a bad URL
 * whole, and a URL may carry a password (the console's `rediss://default:…@` one does), so no
 * message here quotes it. Surrounding whitespace (a pasted env value) is dropped.
 */
export function checkedRestUrl(url: unknown): string {
  if (typeof url !== "string") {
    throw new TypeError(`[agents-memory] [upstash] url must be a string, got ${typeof url}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(
      `[agents-memory] [upstash] url is not a usable URL: ${urlParseProblem(url)} (expected the database's REST URL, https://<name>.upstash.io)`,
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TypeError(
      `[agents-memory] [upstash] url must be the database's REST URL (https://${parsed.hostname}), not a ${parsed.protocol}// URL: that is the Redis-protocol endpoint; use ${ENV_URL} from the console's REST API section`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new TypeError(
      `[agents-memory] [upstash] url must not carry credentials (host ${parsed.host}): pass the REST token as token, or set ${ENV_TOKEN}`,
    );
  }
  return url.trim();
}

/** The REST token, checked like the URL (never quoted). */
export function checkedToken(token: unknown): string {
  if (typeof token !== "string") {
    throw new TypeError(`[agents-memory] [upstash] token must be a string, got ${typeof token}`);
  }
  const trimmed = token.trim();
  if (trimmed === "" || /\s/.test(trimmed)) {
    throw new TypeError("[agents-memory] [upstash] token must be one word, without whitespace");
  }
  return trimmed;
}

/**
 * The client the store builds: one HTTP request per call and exact strings back.
 * - `automaticDeserialization: false`: a stored "42" stays the string "42";
 * - `enableAutoPipelining: false`: a call is never merged into a shared `/pipeline` POST;
 * - `retry: { retries: 0 }`: no blind retry loop (the default retries a refused connection for
 *   about 4.3 s, and would repeat an append); the store retries idempotent calls itself,
 *   within its budget;
 * - `signal: () => AbortSignal.timeout(timeoutMs)`: a fresh deadline for every request made
 *   with `store.client` directly (a static signal would stay aborted for every later call);
 * - `responseEncoding: false`: strings come back as plain JSON strings. The default, base64,
 *   costs a third more bytes on every read; the store only ever reads JSON text (valid UTF-8),
 *   so it needs no binary-safe encoding;
 * - `enableTelemetry: false`: no extra headers on every request.
 */
export function buildClient(url: string, token: string, timeoutMs: number): Redis {
  return new Redis({
    url,
    token,
    automaticDeserialization: false,
    enableAutoPipelining: false,
    enableTelemetry: false,
    responseEncoding: false,
    retry: { retries: 0, backoff: () => 0 },
    signal: () => AbortSignal.timeout(timeoutMs),
  });
}

/** What one request needs: `@upstash/redis`'s public `Requester` interface. */
export interface Requester {
  request(request: {
    body: unknown;
    path?: string[];
    headers?: Record<string, string>;
    signal?: AbortSignal | (() => AbortSignal);
  }): Promise<{ result?: unknown; error?: string }>;
}

/**
 * The read-your-writes headers for the next request: the sync token of the latest response,
 * when the client keeps one (`readYourWrites`, on by default). The store passes it with every
 * request itself: `@upstash/redis` from 1.34.5 until upstash/redis-js#1447 (1.35.1, the floor,
 * among them; 1.39.0 is right) copies the headers before it sets the token, so the read right
 * after a write carries the token from before it and may be served by a replica that has not
 * seen the write. Empty when there is no token.
 */
export function syncHeaders(requester: Requester): Record<string, string> {
  const { readYourWrites, upstashSyncToken } = requester as {
    readYourWrites?: unknown;
    upstashSyncToken?: unknown;
  };
  if (readYourWrites === false || typeof upstashSyncToken !== "string" || !upstashSyncToken) {
    return {};
  }
  return { "upstash-sync-token": upstashSyncToken };
}

/**
 * The client's HTTP layer (its `Requester`, what `new Redis(requester)` accepts). The store
 * sends every command through it, not through `redis.evalsha(...)`, so the client's
 * auto-pipelining and automatic deserialization never touch the store's calls, whatever the
 * caller chose, and each call carries its own abort signal.
 */
export function requesterOf(client: Redis): Requester {
  const requester = (client as unknown as { client?: Partial<Requester> }).client;
  if (!requester || typeof requester.request !== "function") {
    throw new TypeError(
      "[agents-memory] [upstash] options.client must be a Redis client from @upstash/redis",
    );
  }
  return requester as Requester;
}

/**
 * What about a caller's client would make store calls repeat or wait longer than asked.
 * Auto-pipelining and automatic deserialization are not listed: the store bypasses both.
 */
export function clientRisks(requester: Requester): string[] {
  const risks: string[] = [];
  const retry = (requester as { retry?: { attempts?: unknown } }).retry;
  if (retry && typeof retry.attempts === "number" && retry.attempts > 0) {
    risks.push(
      `the client retries a failed connection ${retry.attempts} time(s) by itself (the default is 5, with backoff up to ~4.3 s; \`retry: false\` still retries once): a store call still settles within timeoutMs, but an append lost after it was sent may be applied twice; build it with \`retry: { retries: 0 }\``,
    );
  }
  return risks;
}

/** The host the client talks to, for log lines (never the token, never a full URL). */
export function hostOf(requester: Requester): string | undefined {
  const baseUrl = (requester as { baseUrl?: unknown }).baseUrl;
  if (typeof baseUrl !== "string") return undefined;
  try {
    return new URL(baseUrl).host;
  } catch {
    return undefined;
  }
}

export type Failure = "timeout" | "network" | "auth" | "server";

/** Sorts an error thrown by the client's request into what the store does about it. */
export function classify(error: unknown): Failure {
  const name = (error as { name?: unknown } | null)?.name;
  // AbortSignal.timeout() rejects with a DOMException named TimeoutError.
  if (name === "TimeoutError" || name === "AbortError") return "timeout";
  if (error instanceof Error) {
    if (name === "UpstashError") {
      const reason = conciseReason(error);
      if (/^(Unauthorized|WRONGPASS|NOAUTH)\b/i.test(reason)) return "auth";
      return "server";
    }
    // fetch rejects with a TypeError when no response came (refused, reset, DNS).
    if (error instanceof TypeError) return "network";
  }
  return "server";
}

/**
 * How far a failed request got (the failure rule in core decides the rest): the store's own
 * refusal before sending, a connection refused or a name not found sent nothing; a timeout got
 * no answer; another network error (a reset) may have come after sending; anything else is the
 * server's answer.
 */
export function reachOf(error: unknown): RequestReach {
  if (RequestNotSentError.isInstance(error)) return "not-sent";
  const failure = classify(error);
  if (failure === "timeout") return "unanswered";
  if (failure !== "network") return "answered";
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" ? "not-sent" : "unanswered";
}

/**
 * The client's message without the command it appends (`…, command was: [...]`): that part
 * repeats every argument, the items themselves, up to megabytes. Credentials in a quoted URL
 * (`https://user:password@host`, from a client built by the caller) are masked. Capped at 300
 * characters.
 */
export function conciseReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cut = message.indexOf(", command was: ");
  const reason = (cut >= 0 ? message.slice(0, cut) : message).replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi,
    "$1***@",
  );
  return reason.length > 300 ? `${reason.slice(0, 300)}…` : reason;
}
