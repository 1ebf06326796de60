import { type MemoryLogger, RequestNotSentError } from "@agents-memory/core";
import type { Cluster, ClusterOptions, Redis, RedisOptions } from "ioredis";

/** A single-node `Redis` or a `Cluster` client, of ioredis 5 or 6. */
export type IoRedisClient = Redis | Cluster;

/** The three bounds of a fail-fast client, each in ms; see {@link failFastRedisOptions}. */
export interface FailFastSettings {
  /** Longest wait for one command's reply, in ms (ioredis `commandTimeout`). */
  commandTimeoutMs: number;
  /** Longest wait for a TCP connection (ioredis `connectTimeout`), in ms. */
  connectTimeoutMs: number;
  /** Reconnect backoff cap, in ms: 50, 100, 200, … up to this, for as long as it takes. */
  maxReconnectDelayMs: number;
}

/**
 * 1 s per command (about 7 round trips between continents: one command is one), 1 s to
 * connect, reconnect backoff capped at 2 s. See the core README, "Budgets".
 */
export const defaultFailFastSettings: Readonly<FailFastSettings> = Object.freeze({
  commandTimeoutMs: 1000,
  connectTimeoutMs: 1000,
  maxReconnectDelayMs: 2000,
});

const CLUSTER_RETRY_DELAY_MS = 100;

/** Exponential reconnect backoff, capped; never gives up, so the store recovers by itself. */
export function reconnectDelay(maxDelayMs: number): (attempt: number) => number {
  return (attempt) => Math.min(50 * 2 ** Math.min(Math.max(attempt - 1, 0), 16), maxDelayMs);
}

/**
 * ioredis options for a client that fails fast instead of waiting for Redis:
 * - `enableOfflineQueue: false`: a command issued while disconnected fails at once instead of
 *   queuing and running whenever Redis returns (a "ghost write" the caller thinks failed);
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command lost with
 *   its connection fails; it is never sent again (an append could otherwise apply twice);
 * - `commandTimeout`, `connectTimeout`: bounded waits;
 * - `retryStrategy`: reconnects forever with capped backoff (the client recovers by itself);
 * - `lazyConnect`: the store connects explicitly and bounds the wait for the first connection.
 *
 * The store builds its own client with these; pass them when you build one yourself:
 * `new Redis(url, failFastRedisOptions())`.
 */
export function failFastRedisOptions(settings: Partial<FailFastSettings> = {}): RedisOptions {
  const resolved = { ...defaultFailFastSettings, ...definedOnly(settings) };
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: resolved.commandTimeoutMs,
    connectTimeout: resolved.connectTimeoutMs,
    retryStrategy: reconnectDelay(resolved.maxReconnectDelayMs),
    lazyConnect: true,
  };
}

/**
 * The same for a Cluster client: `new Cluster(nodes, failFastClusterOptions())`. The cluster
 * does not queue while it is not ready; each node connection has the command timeout and
 * never resends; a command redirected or retried (CLUSTERDOWN, TRYAGAIN) is retried every
 * 100 ms for at most the command timeout, not ioredis's 16 tries (a write retried after its
 * deadline is refused by the server anyway, see the write fence).
 */
export function failFastClusterOptions(settings: Partial<FailFastSettings> = {}): ClusterOptions {
  const resolved = { ...defaultFailFastSettings, ...definedOnly(settings) };
  return {
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnectDelay(resolved.maxReconnectDelayMs),
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    maxRedirections: Math.max(1, Math.ceil(resolved.commandTimeoutMs / CLUSTER_RETRY_DELAY_MS)),
    lazyConnect: true,
    redisOptions: {
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: resolved.commandTimeoutMs,
      connectTimeout: resolved.connectTimeoutMs,
    },
  };
}

/**
 * What about a client would make store calls wait, queue or repeat while Redis is down.
 * Empty for a client built with {@link failFastRedisOptions} / {@link failFastClusterOptions}.
 */
export function queuingRisks(client: IoRedisClient): string[] {
  // On a Cluster the command settings are each node connection's (`redisOptions`).
  const cluster = Boolean(client.isCluster);
  const node: RedisOptions = cluster
    ? ((client as Cluster).options.redisOptions ?? {})
    : (client as Redis).options;
  const [where, server, of] = cluster
    ? ["the cluster", "node", "redisOptions."]
    : ["Redis", "server", ""];
  const risks: string[] = [];
  if (client.options.enableOfflineQueue !== false) {
    risks.push(
      `enableOfflineQueue is on: calls made while ${where} is down queue and run when it returns`,
    );
  }
  if (typeof node.commandTimeout !== "number") {
    risks.push(`${of}commandTimeout is not set: a slow ${server} holds a call indefinitely`);
  }
  if (node.autoResendUnfulfilledCommands !== false) {
    risks.push(
      `${of}autoResendUnfulfilledCommands is on: a write lost with its connection may apply twice`,
    );
  }
  return risks;
}

/** True when the client queues commands while disconnected (ioredis' default). */
export function clientQueues(client: IoRedisClient): boolean {
  return client.options.enableOfflineQueue !== false;
}

type GateState = "starting" | "up" | "down";

/**
 * Decides, before each store call, whether the client can take it now. Never queues:
 * - connected: go;
 * - still making its first connection: wait for it, at most `connectTimeoutMs` (once: after
 *   that wait ran out, calls fail at once until the client is ready);
 * - disconnected after having been up, or after a failed attempt: fail at once (the client
 *   keeps reconnecting in the background; the next call after it is back goes through).
 * A client that queues by itself (offline queue on) is passed through: it was the caller's
 * choice, and the store warned about it.
 */
export class ConnectionGate {
  readonly #client: IoRedisClient;
  readonly #connectTimeoutMs: number;
  readonly #queues: boolean;
  #state: GateState;
  #firstConnection: Promise<void> | undefined;
  readonly #listeners: [string, () => void][];

  constructor(client: IoRedisClient, connectTimeoutMs: number, onReady?: () => void) {
    this.#client = client;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#queues = clientQueues(client);
    const status = client.status;
    this.#state =
      status === "ready"
        ? "up"
        : status === "wait" || status === "connecting" || status === "connect"
          ? "starting"
          : "down";
    const up = () => {
      this.#state = "up";
      onReady?.();
    };
    const down = () => {
      this.#state = "down";
    };
    this.#listeners = [
      ["ready", up],
      ["close", down],
      ["reconnecting", down],
      ["end", down],
    ];
    for (const [event, listener] of this.#listeners) client.on(event, listener);
  }

  /** Starts the first connection now, if the client has not started it. */
  connectSoon(): void {
    if (this.#client.status === "wait") this.#client.connect().catch(() => {});
  }

  /** Resolves when a call may be sent now; rejects (fast) when it may not. */
  async whenUsable(): Promise<void> {
    const client = this.#client;
    if (client.status === "ready" || this.#queues) return;
    if (client.status === "end") throw new RequestNotSentError("the Redis client was closed");
    if (this.#state !== "starting") {
      throw new RequestNotSentError(
        `Redis is not connected (${client.status}); not queuing the call`,
      );
    }
    this.connectSoon();
    // Concurrent calls share one wait (and one set of listeners).
    this.#firstConnection ??= this.#waitForFirstConnection().finally(() => {
      this.#firstConnection = undefined;
    });
    await this.#firstConnection;
  }

  #waitForFirstConnection(): Promise<void> {
    const client = this.#client;
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off("ready", onReady);
        client.off("close", onClose);
        client.off("end", onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () =>
        done(new RequestNotSentError("Redis refused or dropped the first connection"));
      const timer = setTimeout(() => {
        // A server that accepted the connection but never answers can hold the client in
        // "connect" for long: from now on calls fail at once, until the client is ready.
        this.#state = "down";
        done(new RequestNotSentError(`Redis did not connect within ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      client.on("ready", onReady);
      client.on("close", onClose);
      client.on("end", onClose);
    });
  }

  /**
   * Sends one command now, or throws {@link RequestNotSentError} when the client could not
   * send it now and would refuse it (offline queue off): the same test ioredis makes, just
   * before it makes it, so a command that got past here went out.
   */
  send<T>(command: () => Promise<T>): Promise<T> {
    const client = this.#client;
    const writable =
      client.status === "ready" &&
      (client.isCluster || (client as Redis).stream?.writable === true);
    if (!writable && !this.#queues) {
      return Promise.reject(
        new RequestNotSentError(`Redis is not connected (${client.status}); not sent`),
      );
    }
    return command();
  }

  detach(): void {
    for (const [event, listener] of this.#listeners) this.#client.off(event, listener);
  }
}

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

/**
 * Replaces a connection that stopped answering. A NAT or load balancer that dropped the flow
 * leaves the socket open with nothing coming back (no FIN, no RST): the client stays `ready`
 * and every call times out, until a restart. So, when a store call times out, one PING is sent
 * on the same connection; if it times out too, the socket is destroyed and the client's
 * reconnect logic connects again (the next calls fail fast meanwhile). Commands in flight on
 * the dropped socket fail ("Connection is closed"); a fail-fast client never resends them, so
 * nothing is applied twice. A slow but alive server answers the PING and keeps its connection.
 *
 * Only where it is safe: a single-node client that never resends unfulfilled commands (the
 * store's own; a caller's built with `failFastRedisOptions()`). Otherwise (a client that could
 * resend, a Cluster) the store warns once per stall and leaves the client alone.
 */
export class StallWatch {
  readonly #client: IoRedisClient;
  readonly #logger: MemoryLogger;
  readonly #canReplace: boolean;
  #probing = false;
  #warned = false;

  constructor(client: IoRedisClient, logger: MemoryLogger) {
    this.#client = client;
    this.#logger = logger;
    this.#canReplace =
      !client.isCluster && (client as Redis).options.autoResendUnfulfilledCommands === false;
  }

  /** A store call got its answer (a reply, an error reply): the connection is alive. */
  answered(): void {
    this.#warned = false;
  }

  /** A store call timed out: probe the connection, and replace it if the probe times out. */
  timedOut(): void {
    const client = this.#client;
    if (this.#probing || client.status !== "ready") return;
    this.#probing = true;
    client
      .ping()
      .then(
        () => this.answered(),
        (error: unknown) => {
          if (isCommandTimeout(error)) this.#replace();
        },
      )
      .finally(() => {
        this.#probing = false;
      });
  }

  #replace(): void {
    const client = this.#client;
    if (!this.#canReplace) {
      if (this.#warned) return;
      this.#warned = true;
      this.#logger.warn(
        { store: "ioredis", status: client.status },
        "Redis stopped answering on an open connection (a call and a PING timed out); the client may resend commands or is a Cluster, so the store does not reconnect it: build it with failFastRedisOptions(), or reconnect it yourself",
      );
      return;
    }
    if (client.status !== "ready") return;
    this.#logger.warn(
      { store: "ioredis" },
      "Redis stopped answering on an open connection (a call and a PING timed out); dropping it and connecting again",
    );
    // destroy, not disconnect(): disconnect() ends the socket politely and waits for a FIN that
    // a dead path never brings back.
    (client as Redis).stream?.destroy();
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
