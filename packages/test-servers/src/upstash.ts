import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ReplyError as IoRedisReplyError, Redis } from "ioredis";

/**
 * A local server that speaks Upstash's Redis REST protocol in front of a real `redis-server`,
 * so the real `@upstash/redis` client can be tested without the internet (and without Docker,
 * so without SRH). What it implements, after Upstash's documented REST API:
 *
 * - `POST /` with a JSON command array (`["SET", "k", "v"]`) -> `{ "result": ... }`;
 * - `POST /pipeline` with an array of command arrays -> an array of `{ result }` / `{ error }`,
 *   one per command, run in order but not atomically;
 * - `POST /multi-exec`: the same, atomically (MULTI/EXEC). A queue-time error (unknown command,
 *   wrong arity) discards the whole transaction: one 400 `{ error }`. A run-time error
 *   (WRONGTYPE) is that entry's `{ error }`, as Redis itself does.
 * - `Authorization: Bearer <token>` (or `?_token=`); a missing or wrong token is a 401
 *   `{ "error": "Unauthorized" }` (the body Upstash sends, seen by users as
 *   `UpstashError: Unauthorized`).
 * - `Upstash-Encoding: base64`: every string in the result, at every depth, base64-encoded
 *   except a top-level `"OK"`; numbers and null as they are; errors never encoded. Binary-safe:
 *   arguments reach Redis as UTF-8 strings, replies leave as raw bytes.
 * - JSON numbers and booleans in a command are sent to Redis as strings; anything else
 *   (null, objects, nested arrays) is a 400.
 * - A Redis error reply -> 400 `{ error }`; Redis unreachable -> 500 `{ error }` at once (the
 *   connection does not queue or retry); a malformed body -> 400; another path -> 404; another
 *   method -> 405.
 * - Every response carries an `upstash-sync-token` header (read-your-writes), a counter.
 *
 * Known differences, invisible to the client: a bulk string `"OK"` is sent unencoded like the
 * status reply `OK` (the Redis connection cannot tell them apart; the client decodes both to
 * "OK"); path-style commands (`GET /set/foo/bar`) are not implemented; commands that change
 * the shared connection's state (MULTI, WATCH, SELECT, SUBSCRIBE, blocking pops, …) are refused.
 *
 * Every request is recorded (path, command names, status, body bytes in and out) so tests and
 * benchmarks can count round trips and bandwidth. `hang(true)` makes the server accept
 * requests and never answer them.
 */
export interface UpstashServerOptions {
  /** Port of the redis-server to forward to (on `redisHost`). */
  redisPort: number;
  /** Default 127.0.0.1. */
  redisHost?: string;
  /** The token clients must present. Default: a random one. */
  token?: string;
  /** Port to listen on (127.0.0.1). Default: a free one. */
  port?: number;
}

/** One HTTP request as the server saw it. */
export interface RecordedRequest {
  /** `/`, `/pipeline`, `/multi-exec`, or whatever was asked. */
  path: string;
  /** Lower-cased command names in the body (`evalsha`, `eval`, `del`, …). */
  commands: string[];
  /** HTTP status sent, or 0 while unanswered (hung). */
  status: number;
  /** Request body bytes. */
  bytesIn: number;
  /** Response body bytes. */
  bytesOut: number;
  /** True when the request asked for base64 (`Upstash-Encoding: base64`). */
  base64: boolean;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface UpstashRequests {
  /** Requests received (answered or not) since start or the last `reset()`. */
  readonly count: number;
  readonly log: readonly RecordedRequest[];
  /** Requests per path, e.g. `{ "/": 3, "/pipeline": 1 }`. */
  byPath(): Record<string, number>;
  /** Commands per lower-cased name over every request, e.g. `{ evalsha: 2, eval: 1 }`. */
  byCommand(): Record<string, number>;
  /** Forgets every recorded request (and the byte counters). */
  reset(): void;
}

export interface UpstashServer {
  /** `http://127.0.0.1:<port>`: the REST URL to give the client. */
  url: string;
  token: string;
  port: number;
  requests: UpstashRequests;
  /** Request body bytes received since start or the last `requests.reset()`. */
  readonly bytesIn: number;
  /** Response body bytes sent since start or the last `requests.reset()`. */
  readonly bytesOut: number;
  /** While true, requests are accepted (and recorded) but never answered. */
  hang(on: boolean): void;
  /** Stops listening, drops every connection (hung ones too) and the Redis connection. */
  close(): Promise<void>;
}

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

/** An error reply from Redis (ioredis declares its class as `any`). */
const ReplyError = IoRedisReplyError as new (message: string) => Error;
type ReplyError = Error;

type Command = string[];
type Reply = Buffer | number | null | Reply[] | ReplyError;

class BadRequest extends Error {}

export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const token = options.token ?? randomBytes(18).toString("base64url");
  const redis = new Redis({
    host: options.redisHost ?? "127.0.0.1",
    port: options.redisPort,
    // Fail fast: a command while Redis is down errors at once (-> 500), never queues, and a
    // command lost with its connection is never sent again.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 20, 200),
    lazyConnect: true,
  });
  redis.on("error", () => {}); // reported per request as a 500
  await redis.connect();

  let syncToken = 0;
  let hanging = false;
  let log: RecordedRequest[] = [];
  let bytesIn = 0;
  let bytesOut = 0;

  const requests: UpstashRequests = {
    get count() {
      return log.length;
    },
    get log() {
      return log;
    },
    byPath() {
      const counts: Record<string, number> = {};
      for (const entry of log) counts[entry.path] = (counts[entry.path] ?? 0) + 1;
      return counts;
    },
    byCommand() {
      const counts: Record<string, number> = {};
      for (const entry of log) {
        for (const name of entry.commands) counts[name] = (counts[name] ?? 0) + 1;
      }
      return counts;
    },
    reset() {
      log = [];
      bytesIn = 0;
      bytesOut = 0;
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    let parsed: unknown;
    try {
      parsed = body.length > 0 ? JSON.parse(body.toString("utf8")) : undefined;
    } catch {
      parsed = undefined;
    }
    const entry: RecordedRequest = {
      path,
      commands: commandNames(path, parsed),
      status: 0,
      bytesIn: body.length,
      bytesOut: 0,
      base64,
      at,
    };
    log.push(entry);
    bytesIn += body.length;
    if (hanging) return; // accepted, never answered; close() drops the socket

    const send = (status: number, payload: unknown) => {
      const text = Buffer.from(JSON.stringify(payload), "utf8");
      entry.status = status;
      entry.bytesOut = text.length;
      bytesOut += text.length;
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": text.length,
        "upstash-sync-token": String(++syncToken),
      });
      res.end(text);
    };

    if (req.method !== "POST" && !(req.method === "GET" && path === "/")) {
      return send(405, { error: "Method Not Allowed" });
    }
    if (!authorized(req, url, token)) return send(401, { error: "Unauthorized" });
    if (req.method === "GET") return send(200, { result: "Welcome to the local Upstash server" });

    const encode = (reply: Reply) => encodeResult(reply, base64, true);
    try {
      if (path === "/") {
        const command = toCommand(parsed);
        const reply = await run(redis, command);
        if (reply instanceof ReplyError) return send(400, { error: reply.message });
        return send(200, { result: encode(reply) });
      }
      if (path === "/pipeline" || path === "/multi-exec") {
        const commands = toCommands(parsed);
        const replies =
          path === "/pipeline"
            ? await runPipeline(redis, commands)
            : await runTransaction(redis, commands);
        if (replies instanceof ReplyError) return send(400, { error: replies.message });
        return send(
          200,
          replies.map((reply: Reply) =>
            reply instanceof ReplyError ? { error: reply.message } : { result: encode(reply) },
          ),
        );
      }
      return send(404, { error: `ERR endpoint ${path} not found` });
    } catch (error) {
      if (error instanceof BadRequest) return send(400, { error: error.message });
      // Not a Redis reply: the connection to Redis is down or broke mid-command.
      return send(500, {
        error: `ERR Redis is unavailable: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    port,
    requests,
    get bytesIn() {
      return bytesIn;
    },
    get bytesOut() {
      return bytesOut;
    },
    hang(on: boolean) {
      hanging = on;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      redis.disconnect();
    },
  };
}

function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header === "string") {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match?.[1] === token;
  }
  return url.searchParams.get("_token") === token;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Command names for the log, from whatever body arrived (valid or not). */
function commandNames(path: string, body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  const name = (command: unknown) =>
    Array.isArray(command) && command.length > 0 ? String(command[0]).toLowerCase() : "?";
  return path === "/" ? [name(body)] : body.map(name);
}

function toCommand(value: unknown): Command {
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

function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest("ERR failed to parse pipeline request: expected an array of commands");
  }
  return value.map(toCommand);
}

function refused(command: Command): ReplyError | undefined {
  const name = command[0]!.toLowerCase();
  return REFUSED.has(name)
    ? new ReplyError(`ERR command '${name}' is not supported over REST`)
    : undefined;
}

/** One command; a Redis error reply is returned (not thrown), any other failure throws. */
async function run(redis: Redis, command: Command): Promise<Reply> {
  const refusal = refused(command);
  if (refusal) return refusal;
  try {
    return (await redis.callBuffer(command[0]!, ...command.slice(1))) as Reply;
  } catch (error) {
    if (error instanceof ReplyError) return error;
    throw error;
  }
}

async function runPipeline(redis: Redis, commands: Command[]): Promise<Reply[]> {
  // Sent back to back on the one connection, in order; not atomic (others may interleave).
  const settled = await Promise.allSettled(commands.map((command) => run(redis, command)));
  return settled.map((outcome) => {
    if (outcome.status === "rejected") throw outcome.reason;
    return outcome.value;
  });
}

/**
 * MULTI, the commands, EXEC: written to the connection in one synchronous burst, so no other
 * request's commands can land inside the transaction.
 */
async function runTransaction(redis: Redis, commands: Command[]): Promise<Reply[] | ReplyError> {
  for (const command of commands) {
    const refusal = refused(command);
    if (refusal) return refusal; // nothing was sent: the transaction is discarded whole
  }
  const calls: Promise<unknown>[] = [
    redis.call("multi"),
    ...commands.map((command) => redis.callBuffer(command[0]!, ...command.slice(1))),
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

/** The result as JSON: base64 for every string (but a top-level OK) when asked, else UTF-8. */
function encodeResult(reply: Reply, base64: boolean, top: boolean): unknown {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (reply instanceof ReplyError) return reply.message; // an error inside an array
  if (Array.isArray(reply)) return reply.map((element) => encodeResult(element, base64, false));
  if (Buffer.isBuffer(reply)) {
    if (!base64) return reply.toString("utf8");
    if (top && reply.length === 2 && reply.toString("latin1") === "OK") return "OK";
    return reply.toString("base64");
  }
  return String(reply);
}
