import { silentLogger } from "@agents-memory/core";
import { startUpstashServer, type UpstashServer } from "@agents-memory/test-servers/upstash";
import { UpstashStore } from "@agents-memory/upstash";
import { storeRowCell, TURN_TIMEOUT_MS } from "./agents-memory";
import type { CellPlan, Row, RowCell } from "./row";

/**
 * Row 5: `ReplySession` on `UpstashStore` (the real `@upstash/redis` client over HTTP, chained
 * layout) through
 * the local Upstash-protocol server, which forwards to the same redis-server. Its requests and
 * body bytes are that server's own counters; its latency is the local server's (in this
 * process), not Upstash's.
 */
export function upstashRow(redisPort: number): Row {
  let server: UpstashServer | undefined;
  let store: UpstashStore | undefined;
  return {
    id: "upstash",
    title: "agents-memory (ReplySession on UpstashStore, local Upstash-protocol server)",
    note: "latency is the local server's, in this process, not Upstash's; bytes are HTTP bodies",
    async open(plan: CellPlan): Promise<RowCell> {
      if (!server || !store) {
        // The scripts' own Redis CPU: no key check around every call (see checkKeyLocking).
        server = await startUpstashServer({ redisPort, checkKeyLocking: false });
        store = new UpstashStore({
          url: server.url,
          token: server.token,
          timeoutMs: TURN_TIMEOUT_MS,
          logger: silentLogger,
        });
      }
      const counted = server;
      counted.requests.reset();
      return {
        ...storeRowCell(store, plan, "chain"),
        http: () => ({
          requests: counted.requests.count,
          bytesIn: counted.bytesIn,
          bytesOut: counted.bytesOut,
        }),
      };
    },
    async close() {
      await store?.close();
      await server?.close();
      store = undefined;
      server = undefined;
    },
  };
}
