import { createHash } from "node:crypto";
import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { listenLocal } from "./listen";

/**
 * How the stand-in refuses scripts, as a server of that kind does:
 * - `"undeclared-keys"`: a command inside a script on a key not in KEYS fails with Dragonfly's
 *   text ("script tried accessing undeclared key, key: …"): raised by `redis.call`, returned
 *   as an error reply by `redis.pcall`;
 * - `"write-after-time"`: a write command after TIME inside a script fails with the text of
 *   Redis before 5 without effects replication.
 */
export type ScriptRefusal = "undeclared-keys" | "write-after-time";

export interface ScriptRefusingProxy {
  port: number;
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** How many script calls the proxy rewrote (EVAL and EVALSHA). */
  scripts(): number;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** Commands a script may run that name no key (the check skips them). */
const NO_KEY = ["TIME", "PING", "ECHO", "INFO"];
/** Write commands the layout's scripts send (the refusal after TIME covers these). */
const WRITES = [
  "DEL",
  "RPUSH",
  "LPUSH",
  "EXPIRE",
  "PEXPIRE",
  "PERSIST",
  "LTRIM",
  "COPY",
  "LSET",
  "LREM",
  "RPOP",
  "HSET",
  "SET",
];

const luaSet = (names: string[]) => `{${names.map((name) => `${name} = true`).join(", ")}}`;

/**
 * Lua put before the client's script: a local `redis` that checks each call and hands it to
 * the real one (the script's own functions close over this local, so every call passes).
 */
function prelude(refusal: ScriptRefusal): string {
  const check =
    refusal === "undeclared-keys"
      ? undeclaredKeyCheck(
          "ERR Error running script: @user_script:1: script tried accessing undeclared key, key: ",
        )
      : `local WRITES = ${luaSet(WRITES)}
local dirty = false
local function refusal(name)
  local command = string.upper(name)
  if command == 'TIME' then dirty = true return nil end
  if dirty and WRITES[command] then
    return 'ERR Error running script: @user_script:1: @user_script: 1: Write commands not allowed after non deterministic commands. Call redis.replicate_commands() at the start of your script in order to switch to single commands replication mode.'
  end
  return nil
end`;
  return checkingPrelude(check);
}

/** Lua defining `refusal(name, key)`: `message` and the key for a key not in KEYS. */
function undeclaredKeyCheck(message: string): string {
  return `local declared = {}
for _, key in ipairs(KEYS) do declared[key] = true end
local NO_KEY = ${luaSet(NO_KEY)}
local function refusal(name, key)
  if NO_KEY[string.upper(name)] or declared[key] then return nil end
  return ${JSON.stringify(message)} .. tostring(key)
end`;
}

/**
 * One line of Lua put before a script: every `redis.call` / `redis.pcall` whose first key is
 * not in KEYS fails with `message` and the key (TIME and the like pass).
 */
export function undeclaredKeysPrelude(message: string): string {
  return checkingPrelude(undeclaredKeyCheck(message));
}

/** A local `redis` that asks `refusal(name, key)` (defined by `check`) before each call. */
function checkingPrelude(check: string): string {
  // One line: the client's line numbers in errors stay as they were, plus one.
  return `local real = redis ${check.replace(/\n/g, " ")} local redis = setmetatable({ call = function(name, ...) local refused = refusal(name, (...)) if refused then error({err = refused}) end return real.call(name, ...) end, pcall = function(name, ...) local refused = refusal(name, (...)) if refused then return {err = refused} end return real.pcall(name, ...) end }, {__index = real})\n`;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/**
 * A RESP proxy in front of a real redis-server (`target`) that makes it refuse scripts the way
 * another kind of server does (see {@link ScriptRefusal}). Every other command, and every
 * reply, passes unchanged. EVAL runs the script with a checking prelude; EVALSHA of a script
 * seen through the proxy runs it the same way, of any other answers NOSCRIPT (from Redis).
 */
export async function startScriptRefusingProxy(
  target: { host: string; port: number },
  refusal: ScriptRefusal,
): Promise<ScriptRefusingProxy> {
  const lead = prelude(refusal);
  const known = new Map<string, string>();
  const sockets = new Set<Socket>();
  let rewritten = 0;
  const server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    upstream.pipe(client);
    const parser = new RespRequests();
    client.on("data", (chunk: Buffer) => {
      for (const args of parser.push(chunk)) {
        upstream.write(encode(rewrite(args)));
      }
    });
  });
  const rewrite = (args: string[]): string[] => {
    const name = args[0]?.toUpperCase();
    if (name === "EVAL" && args[1] !== undefined) {
      rewritten++;
      known.set(sha1(args[1]), args[1]);
      return ["EVAL", lead + args[1], ...args.slice(2)];
    }
    if (name === "EVALSHA" && args[1] !== undefined) {
      const script = known.get(args[1].toLowerCase());
      // Never run the unchecked original, even if Redis holds it from another client.
      if (!script) return ["EVALSHA", sha1(`unknown to the proxy: ${args[1]}`), ...args.slice(2)];
      rewritten++;
      return ["EVAL", lead + script, ...args.slice(2)];
    }
    return args;
  };
  const port = await listenLocal(server);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    scripts: () => rewritten,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function encode(args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(""));
}

/** Splits a client's byte stream into commands (RESP arrays of bulk strings, or inline). */
class RespRequests {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.#next();
      if (!parsed) return commands;
      commands.push(parsed);
    }
  }

  #next(): string[] | undefined {
    const buffer = this.#buffer;
    const lineEnd = buffer.indexOf("\r\n");
    if (lineEnd < 0) return undefined;
    if (buffer[0] !== 0x2a /* '*' */) {
      this.#buffer = buffer.subarray(lineEnd + 2);
      return buffer.subarray(0, lineEnd).toString().split(" ").filter(Boolean);
    }
    const count = Number(buffer.subarray(1, lineEnd).toString());
    let at = lineEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const end = buffer.indexOf("\r\n", at);
      if (end < 0) return undefined;
      const length = Number(buffer.subarray(at + 1, end).toString());
      const start = end + 2;
      if (buffer.length < start + length + 2) return undefined;
      args.push(buffer.subarray(start, start + length).toString());
      at = start + length + 2;
    }
    this.#buffer = buffer.subarray(at);
    return args;
  }
}
