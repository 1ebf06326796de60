/** Commands run on the one shared Redis connection: one, a pipeline, a MULTI/EXEC
 * transaction. Redis error replies come back as values; a broken connection throws. */

import type { Redis } from "ioredis";
import { type Command, refused } from "./commands";
import { type Reply, ReplyError } from "./reply";
import { withKeyLocking } from "./scripts";

/** One command; a Redis error reply is returned (not thrown), any other failure throws. */
export async function run(redis: Redis, sent: Command, checkKeys = true): Promise<Reply> {
  const refusal = refused(sent);
  if (refusal) return refusal;
  const command = withKeyLocking(sent, checkKeys);
  try {
    return (await redis.callBuffer(command[0]!, ...command.slice(1))) as Reply;
  } catch (error) {
    if (error instanceof ReplyError) return error;
    throw error;
  }
}

export async function runPipeline(
  redis: Redis,
  commands: Command[],
  checkKeys = true,
): Promise<Reply[]> {
  // Sent back to back on the one connection, in order; not atomic (others may interleave).
  const settled = await Promise.allSettled(
    commands.map((command) => run(redis, command, checkKeys)),
  );
  return settled.map((outcome) => {
    if (outcome.status === "rejected") throw outcome.reason;
    return outcome.value;
  });
}

/**
 * MULTI, the commands, EXEC: written to the connection in one synchronous burst, so no other
 * request's commands can land inside the transaction.
 */
export async function runTransaction(
  redis: Redis,
  commands: Command[],
  checkKeys = true,
): Promise<Reply[] | ReplyError> {
  for (const command of commands) {
    const refusal = refused(command);
    if (refusal) return refusal; // nothing was sent: the transaction is discarded whole
  }
  const calls: Promise<unknown>[] = [
    redis.call("multi"),
    ...commands
      .map((command) => withKeyLocking(command, checkKeys))
      .map((command) => redis.callBuffer(command[0]!, ...command.slice(1))),
    redis.callBuffer("exec"),
  ];
  const settled = await Promise.allSettled(calls);
  const failures = settled.filter(
    (outcome): outcome is PromiseRejectedResult => outcome.status === "rejected",
  );
  const broken = failures.find((outcome) => !(outcome.reason instanceof ReplyError));
  if (broken) throw broken.reason;
  if (failures.length > 0) {
    // A command refused at queue time: Redis discarded the whole transaction (EXECABORT).
    // Report the first cause, which says what was wrong.
    return failures[0]!.reason as ReplyError;
  }
  const exec = settled[settled.length - 1] as PromiseFulfilledResult<Reply[] | null>;
  if (exec.value === null) return new ReplyError("EXECABORT Transaction discarded");
  return exec.value;
}
