/**
 * The logger shape agents-memory writes to: pino's `(fields, message)` order, so a pino (or
 * any compatible) logger can be passed as it is. Fields never carry secrets.
 */
export interface MemoryLogger {
  /** Optional detail, e.g. a lost Redis connection restored. */
  debug?(fields: Record<string, unknown>, message: string): void;
  /**
   * The run goes on, with something to know: a malformed stored element skipped, a client
   * built without fail-fast options, a lost connection.
   */
  warn(fields: Record<string, unknown>, message: string): void;
  /** A store call failed or a credential was rejected; `fields.cause` (or `reason`) says why. */
  error(fields: Record<string, unknown>, message: string): void;
}

/** Default: one line on stderr per warning or error, prefixed so its origin is clear. */
export const consoleLogger: MemoryLogger = {
  warn(fields, message) {
    console.warn(`[agents-memory] ${message}`, fields);
  },
  error(fields, message) {
    console.error(`[agents-memory] ${message}`, fields);
  },
};

/** For tests and for apps that report through `onStoreError` only. */
export const silentLogger: MemoryLogger = { warn() {}, error() {} };

/** The cause of an error as a short, loggable string (no stack, no connection strings). */
export function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    // A message that already quotes its cause (`… failed: Error: boom`) is not followed by it again.
    const inner =
      cause instanceof Error && cause !== error && !error.message.includes(cause.message)
        ? `: ${cause.message}`
        : "";
    return maskCredentials(`${error.name}: ${error.message}${inner}`);
  }
  return maskCredentials(String(error));
}

/**
 * Masks what could be a credential in a connection string a client quoted in its error: the
 * userinfo of `scheme://user:password@host` or `//user:password@host` (up to the last `@` of
 * the authority, as WHATWG URL and ioredis read it).
 */
export function maskCredentials(text: string): string {
  return text.replace(/(\/\/)[^\s/?#]*@/g, "$1***@");
}
