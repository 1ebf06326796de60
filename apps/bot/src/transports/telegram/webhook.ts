import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Config } from "../../config";
import { answerHealthz, type HealthSource, isHealthz } from "../../health/healthz";
import type { Logger } from "../../logger";
import type { InFlight } from "../in-flight";
import type { Transport } from "../transport";
import { ALLOWED_UPDATES } from "./allowed-updates";
import { RateLimitedWarning } from "./rate-limited-warning";
import type { UpdateClaims } from "./update-claims";

/** How many recent webhook update ids are remembered to drop redeliveries. */
const SEEN_UPDATES = 10_000;
const MAX_BODY_BYTES = 1_000_000;
/** How long the rest of a refused oversized body is read before the connection is cut. */
const DRAIN_TIMEOUT_MS = 10_000;
/** At most one "wrong secret token" line per this interval (with a count). */
const WRONG_SECRET_LOG_INTERVAL_MS = 60_000;

export interface WebhookOptions {
  bot: Bot;
  inFlight: InFlight;
  claims: UpdateClaims;
  config: Config;
  logger: Logger;
  health: HealthSource;
}

/**
 * An HTTP server Telegram posts updates to (`X-Telegram-Bot-Api-Secret-Token` checked on each
 * request), registered with setWebhook when WEBHOOK_URL is set; `GET /healthz` reports the
 * store and the last minute.
 *
 * An update is acknowledged (200) when its turn is over, or after WEBHOOK_ACK_TIMEOUT_MS while
 * it goes on: until then Telegram still holds it, so a process killed mid-turn loses nothing
 * (Telegram delivers it again and the update's claim lets one process answer it). Holding
 * longer makes Telegram count the delivery failed and send it again meanwhile (grammY's
 * webhook adapter stops waiting after 10 s by default, for the same reason).
 */
export async function startWebhook({
  bot,
  inFlight,
  claims,
  config,
  logger,
  health,
}: WebhookOptions): Promise<Transport> {
  const { secret, host, port, path, url } = config.telegram.webhook;
  const expected = Buffer.from(secret!);
  /** Recent update ids and their turns, to hold a redelivery until the first delivery's turn ends. */
  const seen = new Map<number, Promise<unknown>>();
  /** Requests held open while their turn runs: update id -> response. */
  const held = new Map<number, ServerResponse[]>();
  /** Updates given up unanswered (another process held them when this one stopped). */
  const abandoned = new Set<number>();
  claims.onAbandoned = (updateId) => {
    abandoned.add(updateId);
    seen.delete(updateId);
  };
  let stopping = false;

  const secretMatches = (header: string | string[] | undefined) => {
    if (typeof header !== "string") return false;
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const wrongSecret = new RateLimitedWarning(
    logger,
    "webhook call with a wrong secret token",
    WRONG_SECRET_LOG_INTERVAL_MS,
  );

  const remember = (updateId: number, turn: Promise<unknown>) => {
    seen.set(updateId, turn);
    if (seen.size > SEEN_UPDATES) seen.delete(seen.keys().next().value!);
  };

  /**
   * Answers `res` once, whichever comes first: the turn (200; 503 when it was given up
   * unanswered, so Telegram delivers it again), the timeout (200; 503 while this process only
   * waits for another that holds the update: nothing is done here yet, so Telegram keeps it),
   * shutdown (503).
   */
  const hold = (updateId: number, res: ServerResponse, turn: Promise<unknown>) => {
    const waiting = held.get(updateId) ?? [];
    waiting.push(res);
    held.set(updateId, waiting);
    const release = (status: number) => {
      clearTimeout(timer);
      const list = held.get(updateId);
      if (!list?.includes(res)) return;
      list.splice(list.indexOf(res), 1);
      if (list.length === 0) held.delete(updateId);
      if (!res.headersSent) res.writeHead(status).end();
    };
    const settled = () => release(abandoned.has(updateId) ? 503 : 200);
    const timer = setTimeout(
      () => release(claims.isWaiting(updateId) ? 503 : 200),
      config.telegram.webhook.ackTimeoutMs,
    );
    turn.then(settled, settled);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    if (isHealthz(req)) return answerHealthz(res, health, stopping);
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== path) return void res.writeHead(404).end();
    if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
    if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"])) {
      wrongSecret.hit({ remote: req.socket.remoteAddress });
      return void res.writeHead(401).end();
    }
    // While stopping, refuse: Telegram delivers the update again later.
    if (stopping) return void res.writeHead(503).end();
    const body = await readBody(req);
    if (body === TOO_LARGE) return refuseTooLarge(req, res);
    let update: Update;
    try {
      update = JSON.parse(body) as Update;
    } catch {
      return void res.writeHead(400).end();
    }
    if (!update || typeof update.update_id !== "number") return void res.writeHead(400).end();
    const earlier = seen.get(update.update_id);
    if (earlier) {
      logger.info({ update_id: update.update_id }, "redelivered update ignored");
      return hold(update.update_id, res, earlier);
    }
    const turn = inFlight.track(
      bot.handleUpdate(update).catch((error) => {
        logger.error({ update_id: update.update_id, err: error }, "update handling failed");
      }),
    );
    remember(update.update_id, turn);
    hold(update.update_id, res, turn);
  };

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((error) => {
      logger.error({ err: error }, "webhook request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  logger.info({ mode: "webhook", host, port: boundPort, path }, "bot started");
  if (url) {
    await bot.api.setWebhook(url, {
      secret_token: secret,
      allowed_updates: ALLOWED_UPDATES,
    });
    logger.info("webhook registered with Telegram");
  }

  let done: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  let stopped: Promise<void> | undefined;
  return {
    done: finished,
    port: boundPort,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wrongSecret.flush();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        claims.stop();
        const drained = await inFlight.drain(config.shutdownTimeoutMs);
        if (!drained) {
          await claims.releaseUnfinished();
          const unfinished = inFlight.unfinished();
          let lost = 0;
          for (const update of unfinished) {
            const open = held.get(update.update_id);
            held.delete(update.update_id);
            if (open) {
              // Not acknowledged yet: refused, so Telegram delivers it again (to the next process).
              for (const res of open) if (!res.headersSent) res.writeHead(503).end();
              logger.warn(
                update,
                "shutdown timed out before this update was answered; refused, so Telegram delivers it again",
              );
            } else {
              // Acknowledged after WEBHOOK_ACK_TIMEOUT_MS: Telegram will not deliver it again.
              lost++;
              logger.error(
                update,
                "shutdown timed out before this update was answered; it is lost",
              );
            }
          }
          logger.error(
            { unfinished: unfinished.length, lost, shutdown_timeout_ms: config.shutdownTimeoutMs },
            lost > 0
              ? "shutdown timed out; the updates above marked lost were acknowledged and not answered"
              : "shutdown timed out; every unanswered update was refused and will be delivered again",
          );
        }
        server.closeAllConnections();
        await closed;
        done();
      })();
      return stopped;
    },
  };
}

const TOO_LARGE = Symbol("too large");

/** The request body as text, or TOO_LARGE as soon as it passes MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) return resolve(TOO_LARGE);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off("data", onData);
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * 413, then the rest of the body is read and dropped: closing a socket with unread data makes
 * the kernel reset the connection, and the client would never see the status. So no
 * `Connection: close`: with it, Node destroys the socket as soon as the response is out, while
 * the client may still be sending (it then fails with EPIPE instead of reading the 413).
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413).end();
  const giveUp = setTimeout(() => req.destroy(), DRAIN_TIMEOUT_MS);
  giveUp.unref();
  req.on("end", () => clearTimeout(giveUp));
  req.resume();
}
