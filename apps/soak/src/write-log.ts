/**
 * When each key was last written, on the server's clock, from Redis's MONITOR (one connection
 * per node; every command, Lua scripts' own included, with the server's timestamp).
 *
 * The ghost check needs the time of a history's write. A key's remaining TTL does not give it
 * on the chained layout: a later reply's fork raises its ancestors' TTLs, so a history written
 * in time looks written when its child was (a false ghost). MONITOR sees the writes
 * themselves; a TTL change is not one.
 */

import { Redis } from "ioredis";

/** Commands that write a key's data (the key is the first argument unless noted). */
const DATA_WRITES = new Set([
  "rpush",
  "lpush",
  "rpushx",
  "lpushx",
  "linsert",
  "lset",
  "ltrim",
  "lrem",
  "rpop",
  "lpop",
  "set",
  "hset",
  "hincrby",
  "restore",
]);
/** Commands whose written key is the second argument. */
const DESTINATION_WRITES = new Set(["copy", "rename", "renamenx", "lmove", "rpoplpush"]);

export interface WriteLog {
  /** The server time (ms since the epoch) of the key's last data write seen, if any. */
  lastWrite(key: string): number | undefined;
  /** Forgets every write seen (the server lost its keys: a kill without persistence). */
  clear(): void;
  stop(): void;
}

/** Starts a MONITOR connection to each port; writes missed while one is down are not seen. */
export async function watchWrites(ports: number[]): Promise<WriteLog> {
  const last = new Map<string, number>();
  const monitors = await Promise.all(
    ports.map(async (port) => {
      const client = new Redis(port, "127.0.0.1", { lazyConnect: true });
      client.on("error", () => {}); // down during a fault: it reconnects and monitors again
      const monitor = await client.monitor();
      monitor.on("error", () => {});
      monitor.on("monitor", (time: string, args: string[]) => {
        const command = args[0]?.toLowerCase() ?? "";
        const key = DATA_WRITES.has(command)
          ? args[1]
          : DESTINATION_WRITES.has(command)
            ? args[2]
            : undefined;
        if (key === undefined) return;
        // Whole ms, rounded down, as the bot's log times are: a write is only called late
        // when it certainly was.
        const at = Math.floor(Number(time) * 1000);
        if (!(at <= (last.get(key) ?? Number.NEGATIVE_INFINITY))) last.set(key, at);
      });
      return { client, monitor };
    }),
  );
  return {
    lastWrite: (key) => last.get(key),
    clear: () => last.clear(),
    stop() {
      for (const { client, monitor } of monitors) {
        monitor.disconnect();
        client.disconnect();
      }
    },
  };
}
