/** Upstash's `allow-key-locking` script flag, which Redis refuses: accepted and enforced here. */

import { createHash } from "node:crypto";
import { undeclaredKeysPrelude } from "../script-refusing-proxy";
import type { Command } from "./commands";

/**
 * A script flagged `allow-key-locking` locks only its declared keys on Upstash, and may touch
 * no other (Upstash's EVAL documentation). Redis refuses the flag, so the local server takes
 * it off the shebang before the script reaches Redis and, as Upstash does, fails any call in
 * the script on a key not in KEYS (with the message below). Scripts without the flag run as
 * sent.
 */
export const UNDECLARED_KEY_MESSAGE =
  "ERR allow-key-locking: the script touched a key it did not declare in KEYS, key: ";

const FLAG = "allow-key-locking";
const PRELUDE = undeclaredKeysPrelude(UNDECLARED_KEY_MESSAGE);
/** The SHA-1 of what Redis runs for each flagged script, by the SHA-1 of the script as sent. */
const rewritten = new Map<string, string>();
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/** The script Redis should run for a flagged one, or undefined when it has no flag. */
function rewrite(lua: string, check: boolean): string | undefined {
  const shebang = /^#!lua[^\n]*flags=([^\s\n]*)[^\n]*(\n|$)/.exec(lua);
  if (!shebang) return undefined;
  const flags = shebang[1]!.split(",").filter(Boolean);
  if (!flags.includes(FLAG)) return undefined;
  const others = flags.filter((flag) => flag !== FLAG);
  const rest = lua.slice(shebang[0].length);
  return `${others.length > 0 ? `#!lua flags=${others.join(",")}\n` : ""}${check ? PRELUDE : ""}${rest}`;
}

/**
 * The command to send Redis for EVAL / EVALSHA of a flagged script; any other as it is.
 * `check` false takes the flag off without checking the keys (see `checkKeyLocking`).
 */
export function withKeyLocking(command: Command, check = true): Command {
  const name = command[0]!.toLowerCase();
  if (name === "eval" && command[1] !== undefined) {
    const lua = rewrite(command[1], check);
    if (lua === undefined) return command;
    rewritten.set(`${check}:${sha1(command[1])}`, sha1(lua));
    return ["eval", lua, ...command.slice(2)];
  }
  if (name === "evalsha" && command[1] !== undefined) {
    // Redis answers NOSCRIPT when it no longer holds the script (a flush), as Upstash would.
    const sha = rewritten.get(`${check}:${command[1].toLowerCase()}`);
    return sha === undefined ? command : ["evalsha", sha, ...command.slice(2)];
  }
  return command;
}
