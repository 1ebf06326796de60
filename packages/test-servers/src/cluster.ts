import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { freePorts } from "./free-port";
import { type RedisServer, startRedisServer } from "./redis";

const run = promisify(execFile);

export interface RedisClusterOptions {
  /** Number of master nodes (no replicas). Redis needs at least 3. Default 3. */
  masters?: number;
  /** How long to wait for `cluster_state:ok` on every node, in ms. Default 20 000. */
  readyTimeoutMs?: number;
}

export interface RedisCluster {
  /** The seed nodes to hand to an ioredis `Cluster` client. */
  nodes: { host: string; port: number }[];
  /** The node servers, e.g. to kill one. */
  servers: RedisServer[];
  /**
   * Brings node `index` back after a kill (or restarts it): the same port and nodes.conf, so
   * it rejoins with its node id and slots (not its data: there is no persistence). Resolves
   * once every node reports `cluster_state:ok` again, within `readyTimeoutMs` (default 20 000).
   */
  restartNode(index: number, readyTimeoutMs?: number): Promise<void>;
  /** Stops every node and removes their temp dirs. */
  stop(): Promise<void>;
}

/**
 * Starts a small local Redis Cluster: `masters` real `redis-server --cluster-enabled yes`
 * nodes on free loopback ports (bus ports chosen free too, via `--cluster-port`), joined with
 * `redis-cli --cluster create ... --cluster-yes`, and resolves once every node reports
 * `cluster_state:ok`. No persistence; never touches 6379.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  if (count < 3) throw new RangeError("a Redis Cluster needs at least 3 masters");
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let index = 0; index < count; index++) {
      servers.push(await startClusterNode(["--cluster-node-timeout", "2000"]));
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    for (const server of servers) await waitForClusterOk(server.port, deadline);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: servers.map((server) => ({ host: "127.0.0.1", port: server.port })),
    servers,
    async restartNode(index, readyTimeoutMs = 20_000) {
      const server = servers[index];
      if (!server) throw new RangeError(`no cluster node ${index} (${servers.length} nodes)`);
      await server.restart();
      const deadline = Date.now() + readyTimeoutMs;
      for (const node of servers) await waitForClusterOk(node.port, deadline);
    },
    stop,
  };
}

/** Polls `CLUSTER INFO` until the node says `cluster_state:ok` and knows all 16384 slots. */
async function waitForClusterOk(port: number, deadline: number): Promise<void> {
  for (;;) {
    const { stdout } = await run("redis-cli", [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "cluster",
      "info",
    ]);
    if (/cluster_state:ok/.test(stdout) && /cluster_slots_ok:16384/.test(stdout)) return;
    if (Date.now() > deadline) {
      throw new Error(`cluster node ${port} did not reach cluster_state:ok: ${stdout.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts one real `redis-server --cluster-enabled yes` that owns every slot
 * (`CLUSTER ADDSLOTSRANGE 0 16383`): the shape several managed services give behind one plain
 * endpoint. Resolves once it reports `cluster_state:ok`. No persistence; never touches 6379.
 */
export async function startClusterModeNode(readyTimeoutMs = 20_000): Promise<RedisServer> {
  // A lone node knows no address of its own (CLUSTER SLOTS would say ""): give it one.
  const server = await startClusterNode(["--cluster-announce-ip", "127.0.0.1"]);
  try {
    await run("redis-cli", [
      "-h",
      "127.0.0.1",
      "-p",
      String(server.port),
      "cluster",
      "addslotsrange",
      "0",
      "16383",
    ]);
    await waitForClusterOk(server.port, Date.now() + readyTimeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * A `redis-server --cluster-enabled yes` (nodes.conf in its own temp dir) on two distinct free
 * ports, client and bus, chosen together (two separate picks could be the same port); a start
 * that fails (a port taken meanwhile) is tried on new ports, 3 times in all.
 */
async function startClusterNode(args: string[]): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const [port, busPort] = await freePorts(2);
    try {
      return await startRedisServer({
        port,
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-port",
          String(busPort),
          ...args,
        ],
      });
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
