import type { getLogger } from "@openai/agents";
import type { MemoryLogger } from "../logger";

/** The SDK's `Logger` (`getLogger()`'s; the SDK exports the function, not the type). */
export type SdkLogger = ReturnType<typeof getLogger>;

/**
 * The SDK's `Logger` (`message, ...args`, as `getLogger()` returns) as the `(fields, message)`
 * logger the rest of this package writes to. Fields go as the argument after the message.
 */
export function fromSdkLogger(logger: SdkLogger): MemoryLogger {
  return {
    debug: (fields, message) => logger.debug(`[agents-memory] ${message}`, fields),
    warn: (fields, message) => logger.warn(`[agents-memory] ${message}`, fields),
    error: (fields, message) => logger.error(`[agents-memory] ${message}`, fields),
  };
}

/** True for an object of the SDK's `Logger` shape (as opposed to a pino-style logger). */
export function isSdkLogger(value: unknown): value is SdkLogger {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as SdkLogger).namespace === "string" &&
    typeof (value as SdkLogger).error === "function"
  );
}
