import { writeSync } from "node:fs";
import pino, { type Logger } from "pino";
import { scrub } from "./config/redact";
import { errorFields } from "./error-fields";

export type { Logger } from "pino";
export { scrub } from "./config/redact";

const REDACTED = "[redacted]";

/**
 * A log object as it is written: every Error (under `err`, pino's key, or anywhere else)
 * becomes {@link errorFields}, and every string is scrubbed of the secrets.
 */
function loggable(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === "string") return scrub(value, secrets);
  if (value instanceof Error) return loggable(errorFields(value), secrets, depth + 1);
  if (Array.isArray(value)) return value.map((v) => loggable(v, secrets, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = loggable(v, secrets, depth + 1);
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

/** An error's fields as one line, `Type: message [code]`, each cause after a " <- ". */
function errorLine(fields: unknown): string {
  const parts: string[] = [];
  for (let e = fields as Record<string, unknown> | undefined; e; ) {
    const tag = e.status ?? e.code;
    parts.push(`${e.type}: ${e.message}${tag === undefined ? "" : ` [${tag}]`}`);
    e = e.cause as Record<string, unknown> | undefined;
  }
  return parts.join(" <- ");
}

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
        .map(([key, value]) => {
          if (key === "err") return `err=${errorLine(value)}`;
          return `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`;
        });
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
      // pino's key for an error is `err`; its serializer makes the fields. formatters.log runs
      // before the serializers, so it leaves `err` alone and handles every other field.
      serializers: { err: (error: unknown) => loggable(error, secrets) },
      formatters: {
        log: (object) => {
          const out: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(object)) {
            out[key] = key === "err" ? value : loggable(value, secrets);
          }
          return out;
        },
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
