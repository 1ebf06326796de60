import {
  type RawAccess,
  type RedisCall,
  redisRawAccess as rawOver,
} from "@agents-memory/core/testing";
import type { Cluster, Redis } from "ioredis";

/**
 * The conformance suite's independent reader (core's `redisRawAccess`) over a separate ioredis
 * client, a `Redis` or a `Cluster` (whose key listing scans every master).
 */
export function redisRawAccess(client: Redis | Cluster): RawAccess {
  const callOf =
    (node: Redis | Cluster): RedisCall =>
    (command, ...args) =>
      node.call(command, ...args);
  const nodes =
    "nodes" in client && typeof client.nodes === "function"
      ? () => client.nodes("master").map(callOf)
      : undefined;
  return rawOver(callOf(client), { nodes });
}
