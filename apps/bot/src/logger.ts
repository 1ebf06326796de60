import { writeSync } from "node:fs";
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

const REDACTED = "[redacted]";

/** Replaces every occurrence of each secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Error → plain loggable fields (name, message, code, cause chain), no stack unless asked. */
export function errorFields(error: unknown, withStack = false): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = { type: error.name, message: error.message };
  const extra = error as Error & {
    code?: unknown;
    error_code?: unknown;
    description?: unknown;
    status?: unknown;
    cause?: unknown;
  };
  if (extra.code !== undefined) fields.code = extra.code;
  if (extra.error_code !== undefined) fields.error_code = extra.error_code;
  if (extra.status !== undefined) fields.status = extra.status;
  if (withStack && error.stack) fields.stack = error.stack;
  // grammY's HttpError keeps what failed (the fetch error) in `error`, not `cause`.
  const inner = extra.cause ?? (error as { error?: unknown }).error;
  if (inner !== undefined && inner !== error) {
    fields.cause = errorFields(inner, false);
  }
  return fields;
}

function deepScrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === "string") return scrub(value, secrets);
  if (value instanceof Error) return deepScrub(errorFields(value, true), secrets, depth + 1);
  if (Array.isArray(value)) return value.map((v) => deepScrub(v, secrets, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepScrub(v, secrets, depth + 1);
    return out;
  }
  return value;
}

export interface LoggerOptions {
  level: string;
  /** 1: stdout (the service), 2: stderr (console mode keeps stdout for the conversation). */
  fd: 1 | 2;
  /** Values that must never appear in a log line (tokens, keys, passwords). */
  secrets: readonly string[];
  /** One short human line per entry instead of JSON (the console on a terminal). */
  pretty?: boolean;
}

const LEVEL_NAMES: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
const QUIET_FIELDS = new Set(["level", "time", "msg", "app", "pid", "hostname"]);

/** `warn: message (key=value …)` lines on a file descriptor, for people rather than machines. */
function prettyDestination(fd: number) {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        writeSync(fd, line);
        return;
      }
      const fields = Object.entries(entry)
        .filter(([key]) => !QUIET_FIELDS.has(key))
        .map(
          ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
        );
      const level = LEVEL_NAMES[entry.level as number] ?? "log";
      writeSync(fd, `${level}: ${entry.msg}${fields.length ? ` (${fields.join(" ")})` : ""}\n`);
    },
  };
}

/**
 * JSON lines (pino). Every field and message is scrubbed of the configured secrets, and the
 * usual secret-bearing paths are redacted, so a token in an error message or URL never lands
 * in the logs.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { secrets } = options;
  return pino(
    {
      level: options.level,
      base: { app: "agents-memory-bot" },
      redact: {
        paths: [
          "token",
          "apiKey",
          "password",
          "*.token",
          "*.apiKey",
          "*.password",
          "headers.authorization",
          "*.headers.authorization",
        ],
        censor: REDACTED,
      },
      serializers: { err: (error: unknown) => errorFields(error, true) },
      formatters: {
        log: (object) => deepScrub(object, secrets) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === "string" ? scrub(arg, secrets) : arg));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    options.pretty
      ? prettyDestination(options.fd)
      : pino.destination({ fd: options.fd, sync: true }),
  );
}
