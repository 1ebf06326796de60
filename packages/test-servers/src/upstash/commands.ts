/** Request bodies to commands: a JSON array of strings (numbers and booleans as strings),
 * or an array of them; the commands refused over REST. */

import { ReplyError } from "./reply";

/** A command and its arguments, as strings. */
export type Command = string[];

/** A malformed request body (-> 400 with its message). */
export class BadRequest extends Error {}

/** Commands that would change the state of the one shared Redis connection, or block it. */
const REFUSED = new Set([
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "select",
  "swapdb",
  "auth",
  "hello",
  "reset",
  "quit",
  "monitor",
  "sync",
  "psync",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "client",
  "wait",
  "waitaof",
]);

/** Command names for the log, from whatever body arrived (valid or not). */
export function commandNames(path: string, body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  const name = (command: unknown) =>
    Array.isArray(command) && command.length > 0 ? String(command[0]).toLowerCase() : "?";
  return path === "/" ? [name(body)] : body.map(name);
}

export function toCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest("ERR failed to parse command: expected a non-empty JSON array");
  }
  return value.map((arg) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new BadRequest(
      "ERR failed to parse command: arguments must be strings, numbers or booleans",
    );
  });
}

export function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest("ERR failed to parse pipeline request: expected an array of commands");
  }
  return value.map(toCommand);
}

export function refused(command: Command): ReplyError | undefined {
  const name = command[0]!.toLowerCase();
  return REFUSED.has(name)
    ? new ReplyError(`ERR command '${name}' is not supported over REST`)
    : undefined;
}
