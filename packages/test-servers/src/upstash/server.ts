/** startUpstashServer: the Redis connection, the request log, the routes (`/`, `/pipeline`,
 * `/multi-exec`) and the listener. */

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { Redis } from "ioredis";
import { listenLocal } from "../listen";
import { BadRequest, commandNames, toCommand, toCommands } from "./commands";
import { authorized, readBody } from "./http";
import { encodeResult, type Reply, ReplyError } from "./reply";
import { run, runPipeline, runTransaction } from "./runner";
import type {
  RecordedRequest,
  UpstashRequests,
  UpstashServer,
  UpstashServerOptions,
} from "./types";

export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const token = options.token ?? randomBytes(18).toString("base64url");
  const checkKeys = options.checkKeyLocking ?? true;
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
      syncToken: headerText(req.headers["upstash-sync-token"]),
      at,
    };
    log.push(entry);
    bytesIn += body.length;
    if (hanging) return; // accepted, never answered; close() drops the socket

    const send = (status: number, payload: unknown) => {
      const text = Buffer.from(JSON.stringify(payload), "utf8");
      entry.status = status;
      entry.bytesOut = text.length;
      entry.answeredSyncToken = String(++syncToken);
      bytesOut += text.length;
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": text.length,
        "upstash-sync-token": entry.answeredSyncToken,
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
        const reply = await run(redis, command, checkKeys);
        if (reply instanceof ReplyError) return send(400, { error: reply.message });
        return send(200, { result: encode(reply) });
      }
      if (path === "/pipeline" || path === "/multi-exec") {
        const commands = toCommands(parsed);
        const replies =
          path === "/pipeline"
            ? await runPipeline(redis, commands, checkKeys)
            : await runTransaction(redis, commands, checkKeys);
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

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(error) }));
      }
    });
  };
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createServer(listener);
  const port = await listenLocal(server, options.port);

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
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

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}
