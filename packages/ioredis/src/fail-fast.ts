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

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
