/**
 * How long one read of a planted chain of link-only keys holds Redis (every other client waits
 * for a script): `keys` reply keys of one chat, each holding only a link to the one before with
 * `take` 1e9 (as a bug or a compromised writer could leave them), then `ReplySession`'s read of
 * the newest one (`readStoredWindow`, window 50) while a second client sends PING every 2 ms.
 * Prints the read's time and the longest PING wait. A walk bounded by the window reads a few
 * keys; an unbounded one reads them all.
 * Run: `pnpm --filter @agents-memory/bench run chain-walk [keys]` (default 100000).
 */
import { silentLogger } from "@agents-memory/core";
import { chainLinkElement, readStoredWindow } from "@agents-memory/core/store";
import { IoRedisStore } from "@agents-memory/ioredis";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";

const KEYS = Number(process.argv[2] ?? 100_000);
const CHAT = 42;
const key = (messageId: number) => `bot:${messageId}:${CHAT}`;

const server = await startRedisServer();
const client = new Redis(server.url);
const pinger = new Redis(server.url);
const store = new IoRedisStore({ client, layout: "chain", logger: silentLogger });
try {
  for (let from = 1; from <= KEYS; from += 10_000) {
    const batch = client.pipeline();
    for (let id = from; id < Math.min(from + 10_000, KEYS + 1); id++) {
      if (id === 1) batch.rpush(key(id), JSON.stringify({ role: "user", content: "first" }));
      else batch.rpush(key(id), chainLinkElement({ take: 1e9, parent: key(id - 1) }));
    }
    await batch.exec();
  }
  await pinger.ping();
  let longestPing = 0;
  let pinging = true;
  const pings = (async () => {
    while (pinging) {
      const started = performance.now();
      await pinger.ping();
      longestPing = Math.max(longestPing, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const read = await readStoredWindow(store, key(KEYS), 50);
  const readMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 50));
  pinging = false;
  await pings;
  console.log(
    `${KEYS} link-only keys: read ${readMs.toFixed(1)} ms, ${read.items.length} items; longest PING wait ${longestPing.toFixed(1)} ms`,
  );
} finally {
  await store.close();
  client.disconnect();
  pinger.disconnect();
  await server.stop();
}
