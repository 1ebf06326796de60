/**
 * The store behind the bot, per variant: a redis-server, the local Upstash REST server in front
 * of one, or a 3-master Redis Cluster. Each gives the bot's environment, the server the faults
 * strike (the redis-server, or the Cluster's first master) and an independent reader of the
 * keys, so what landed is read from Redis itself, never through the bot's store.
 */

import { type RedisCluster, startRedisCluster } from "@agents-memory/test-servers/cluster";
import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import { startUpstashServer, type UpstashServer } from "@agents-memory/test-servers/upstash";
import { Cluster, Redis } from "ioredis";
import type { StoreVariant } from "./plan";
import { type WriteLog, watchWrites } from "./write-log";

/** The server a fault strikes. */
export interface FaultTarget {
  /** What it is, for the report ("redis-server :port", "cluster master :port"). */
  name: string;
  pause(): void;
  resume(): void;
  kill(): Promise<void>;
  /** Back on the same port (empty), and ready to serve (a Cluster: every slot covered again). */
  restart(): Promise<void>;
}

export interface Backend {
  variant: StoreVariant;
  /** The bot's STORE_URL (and Upstash variables). */
  env: Record<string, string>;
  target: FaultTarget;
  /**
   * For each key, when its data was last written (ms since the epoch, the server's clock), as
   * MONITOR saw it (write-log.ts); for a key whose write MONITOR missed (its connection was
   * down), the earliest it can have been written, from its remaining TTL (the moment before the
   * read was sent + PTTL - `ttlSeconds`; NaN without a TTL). Undefined for a missing key.
   */
  writtenAt(keys: string[], ttlSeconds: number): Promise<Array<number | undefined>>;
  /** Keys in the whole store now (every master of a Cluster). */
  keyCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startBackend(variant: StoreVariant): Promise<Backend> {
  if (variant === "cluster") {
    const cluster = await startRedisCluster();
    return clusterBackend(cluster, await watchWrites(cluster.servers.map((s) => s.port)));
  }
  const redis = await startRedisServer();
  let upstash: UpstashServer | undefined;
  try {
    if (variant === "upstash") upstash = await startUpstashServer({ redisPort: redis.port });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const reader = new Redis(redis.port, "127.0.0.1", { lazyConnect: true });
  reader.on("error", () => {}); // a check during a fault is retried by the caller
  const writes = await watchWrites([redis.port]);
  return {
    variant,
    env: upstash
      ? {
          STORE_URL: "upstash://",
          UPSTASH_REDIS_REST_URL: upstash.url,
          UPSTASH_REDIS_REST_TOKEN: upstash.token,
        }
      : { STORE_URL: redis.url },
    target: serverTarget(`redis-server :${redis.port}`, redis, () => redis.restart(), writes),
    async writtenAt(keys, ttlSeconds) {
      if (keys.length === 0) return [];
      const pipeline = reader.pipeline();
      for (const key of keys) pipeline.pttl(key);
      const sentAt = Date.now();
      const replies = (await pipeline.exec())!.map(([error, pttl]) => {
        if (error) throw error;
        return pttl as number;
      });
      return replies.map((pttl, i) => writeTime(keys[i]!, pttl, sentAt, ttlSeconds, writes));
    },
    keyCount: () => reader.dbsize(),
    async stop() {
      writes.stop();
      reader.disconnect();
      await upstash?.close();
      await redis.stop();
    },
  };
}

function clusterBackend(cluster: RedisCluster, writes: WriteLog): Backend {
  const reader = new Cluster(cluster.nodes, { lazyConnect: true });
  reader.on("error", () => {});
  const master = cluster.servers[0]!;
  return {
    variant: "cluster",
    env: {
      STORE_URL: `redis+cluster://${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`,
    },
    target: serverTarget(
      `cluster master :${master.port}`,
      master,
      () => cluster.restartNode(0),
      writes,
    ),
    // One key at a time: keys of a Cluster live on different nodes.
    async writtenAt(keys, ttlSeconds) {
      const sentAt = Date.now();
      const replies = await Promise.all(keys.map((key) => reader.pttl(key)));
      return replies.map((pttl, i) => writeTime(keys[i]!, pttl, sentAt, ttlSeconds, writes));
    },
    async keyCount() {
      const counts = await Promise.all(cluster.servers.map((s) => nodeKeyCount(s.port)));
      return counts.reduce((sum, n) => sum + n, 0);
    },
    async stop() {
      writes.stop();
      reader.disconnect();
      await cluster.stop();
    },
  };
}

/** The key's last write MONITOR saw; else PTTL's reply as the time of the write (-2: no key). */
function writeTime(
  key: string,
  pttl: number,
  sentAt: number,
  ttlSeconds: number,
  writes: WriteLog,
): number | undefined {
  if (pttl === -2) return undefined;
  const seen = writes.lastWrite(key);
  if (seen !== undefined) return seen;
  if (pttl === -1) return Number.NaN;
  return sentAt + pttl - ttlSeconds * 1000;
}

function serverTarget(
  name: string,
  server: RedisServer,
  restart: () => Promise<void>,
  writes: WriteLog,
): FaultTarget {
  return {
    name,
    pause: () => server.pause(),
    resume: () => server.resume(),
    // The keys go with the server: so do the writes seen to them.
    kill: async () => {
      await server.kill();
      writes.clear();
    },
    restart,
  };
}

async function nodeKeyCount(port: number): Promise<number> {
  const node = new Redis(port, "127.0.0.1", { lazyConnect: true });
  node.on("error", () => {});
  try {
    return await node.dbsize();
  } finally {
    node.disconnect();
  }
}
