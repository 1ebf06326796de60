import { type LatencyProxy, startLatencyProxy } from "../latency-proxy";
import { type RedisServer, startRedisServer } from "../redis";

/** A server the proxy of {@link startAtDistance} stands before, in front of Redis. */
export interface FrontServer {
  port: number;
  close(): Promise<void>;
}

/** What {@link startAtDistance} started. */
export interface AtDistance<Front extends FrontServer | undefined> {
  redis: RedisServer;
  /** What `front` started, if anything. */
  front: Front;
  /** The latency proxy the store under test connects to; no delay until set. */
  proxy: LatencyProxy;
  /** Closes the proxy, then the front server, then stops Redis. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server, then `front(redis)` if given (a server in front of Redis, such as the
 * local Upstash server), then a latency proxy to the front server (to Redis without one), for
 * tests of a store at a distance. The test file calls `stop()` after all, once it has closed
 * its own clients.
 */
export async function startAtDistance<Front extends FrontServer | undefined = undefined>(
  front?: (redis: RedisServer) => Promise<Front>,
): Promise<AtDistance<Front>> {
  const redis = await startRedisServer();
  const started = (front ? await front(redis) : undefined) as Front;
  const proxy = await startLatencyProxy({ targetPort: started?.port ?? redis.port });
  return {
    redis,
    front: started,
    proxy,
    async stop() {
      await proxy.close();
      await started?.close();
      await redis.stop();
    },
  };
}
