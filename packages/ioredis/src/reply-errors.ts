import { RequestNotSentError, type RequestReach } from "@agents-memory/core";

/* What an ioredis error says of its command: answered by Redis, or timed out unanswered. */

/** An error reply from Redis. By name: a client of another ioredis major has its own class. */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

/**
 * True for ioredis' own timeout of a command (`commandTimeout`). ioredis has no class for it:
 * the message is what its own tests assert (ioredis test/functional/commandTimeout.ts).
 */
export function isCommandTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "Command timed out";
}

/** How far a failed command got: the store refused to send it, Redis answered an error, or no answer. */
export function reachOf(error: unknown): RequestReach {
  if (RequestNotSentError.isInstance(error)) return "not-sent";
  return isReplyError(error) ? "answered" : "unanswered";
}
