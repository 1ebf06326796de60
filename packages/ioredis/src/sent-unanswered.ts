import { DeadlinePassedError } from "@agents-memory/core/redis";

/**
 * True when a command went out and its answer never came: a timeout, or the connection lost
 * with the command in flight. Not for an error reply, a deadline that passed before sending,
 * or a call refused while disconnected (ioredis: "Stream isn't writeable").
 */
export function wasSentUnanswered(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  // By name: a client of another ioredis major throws its own ReplyError class.
  if (error.name === "ReplyError" || error instanceof DeadlinePassedError) return false;
  if (/isn't writeable|not connected|was closed|did not connect|refused/i.test(error.message)) {
    return false;
  }
  return true;
}
