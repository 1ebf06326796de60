import { timeReplyMs } from "@agents-memory/core/redis";
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { isClusterUrl, parseClusterUrl } from "./cluster-url";
import {
  type FailFastSettings,
  failFastClusterOptions,
  failFastRedisOptions,
  type IoRedisClient,
} from "./fail-fast";
import { assertRedisUrl, type IoRedisStoreOptions } from "./options";

/**
 * The fail-fast client the store owns: a `Cluster` for a `redis+cluster://` URL or
 * `clusterNodes`, else a `Redis` for `url` (or `REDIS_URL`) and `redisOptions`.
 */
export function buildClient(
  options: IoRedisStoreOptions,
  settings: FailFastSettings,
): { client: IoRedisClient; commandTimeoutMs: number | undefined } {
  const url =
    options.url ??
    (options.redisOptions || options.clusterNodes ? undefined : process.env.REDIS_URL);
  const urlName = options.url === undefined ? "REDIS_URL" : "url";
  if (options.clusterNodes !== undefined || (url !== undefined && isClusterUrl(url))) {
    if (options.clusterNodes !== undefined && url !== undefined) {
      throw new TypeError("[agents-memory] [ioredis] pass either clusterNodes or a url, not both");
    }
    const parsed = url === undefined ? undefined : parseClusterUrl(url, urlName);
    const nodes = options.clusterNodes ?? parsed!.nodes;
    if (!Array.isArray(nodes) || nodes.length === 0) {
      throw new TypeError("[agents-memory] [ioredis] clusterNodes must name at least one node");
    }
    const base = failFastClusterOptions(settings);
    const redisOptions: RedisOptions = {
      ...base.redisOptions,
      ...(parsed?.username ? { username: parsed.username } : {}),
      ...(parsed?.password ? { password: parsed.password } : {}),
      ...(parsed?.tls ? { tls: {} } : {}),
      ...options.redisOptions,
    };
    const client = new Cluster(nodes, { ...base, ...options.clusterOptions, redisOptions });
    return { client, commandTimeoutMs: redisOptions.commandTimeout };
  }
  if (options.clusterOptions !== undefined) {
    throw new TypeError(
      "[agents-memory] [ioredis] clusterOptions need a Cluster: a redis+cluster:// url or clusterNodes",
    );
  }
  if (url === undefined && options.redisOptions === undefined) {
    throw new TypeError(
      "[agents-memory] [ioredis] pass a client, a url, redisOptions or clusterNodes (or set REDIS_URL)",
    );
  }
  if (url !== undefined) assertRedisUrl(url, urlName);
  const redisOptions = { ...failFastRedisOptions(settings), ...options.redisOptions };
  const client = url === undefined ? new Redis(redisOptions) : new Redis(url, redisOptions);
  return { client, commandTimeoutMs: redisOptions.commandTimeout };
}

/** The server's clock; on a Cluster the earliest of its masters' (see `RedisCommands.time`). */
export async function serverTimeMs(client: IoRedisClient): Promise<number> {
  if (!client.isCluster) return timeReplyMs(await (client as Redis).time());
  const masters = (client as Cluster).nodes("master");
  if (masters.length === 0) throw new Error("no Cluster master is connected");
  const times = await Promise.all(masters.map(async (node) => timeReplyMs(await node.time())));
  return Math.min(...times);
}
