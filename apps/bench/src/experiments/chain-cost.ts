/**
 * Where a chained turn's Redis CPU goes, against the copy layout's, per call as Redis itself
 * counts it (INFO commandstats: usec of EVALSHA / LRANGE, which include the commands a script
 * runs), so the machine's other load does not enter: a conversation of `turns` turns (a user
 * and an assistant item of `size` bytes each) written through `IoRedisStore` on each layout,
 * then `calls` reads of its newest reply's window (`window + 1` items, as `ReplySession` asks)
 * and `calls` forks of that window to fresh reply keys. Also a bare Lua script that only
 * LRANGEs the same keys (no link decoding), which bounds what any chained read in Lua costs.
 * Run: `pnpm --filter @agents-memory/bench run chain-cost [window] [size] [calls]`
 * (default 50 1024 2000).
 */
import { silentLogger } from "@agents-memory/core";
import { readStoredWindow } from "@agents-memory/core/store";
import { IoRedisStore } from "@agents-memory/ioredis";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import type { AgentInputItem } from "@openai/agents";
import { Redis } from "ioredis";

const WINDOW = Number(process.argv[2] ?? 50);
const SIZE = Number(process.argv[3] ?? 1024);
const CALLS = Number(process.argv[4] ?? 2000);
const TURNS = WINDOW; // twice the window's items: every read walks a full window
const CHAT = 7;

const text = (n: number) => `${n} `.padEnd(SIZE - 40, "x");
const turnItems = (t: number): AgentInputItem[] =>
  [
    { role: "user", content: text(2 * t) },
    {
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: text(2 * t + 1) }],
    },
  ] as AgentInputItem[];

/** usec per call of each command since the last reset, from INFO commandstats. */
async function perCall(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  const out: Record<string, number> = {};
  for (const match of info.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) {
    out[match[1]!] = Number(match[3]) / Number(match[2]);
  }
  return out;
}

async function measure(redis: Redis, run: () => Promise<void>, command: string): Promise<number> {
  await redis.config("RESETSTAT");
  await run();
  return (await perCall(redis))[command] ?? Number.NaN;
}

const server = await startRedisServer();
const raw = new Redis(server.url);
try {
  const rows: string[] = [];
  for (const layout of ["chain", "copy"] as const) {
    const client = new Redis(server.url);
    const store = new IoRedisStore({ client, layout, logger: silentLogger });
    const key = (id: number) => `${layout}:${id}:${CHAT}`;
    let parent: string | null = null;
    for (let t = 1; t <= TURNS; t++) {
      const read = parent ? await readStoredWindow(store, parent, WINDOW) : undefined;
      await store.fork(parent, [key(t)], turnItems(t), {
        maxItems: WINDOW,
        ttlSeconds: 3600,
        parentItems: read?.items ?? [],
        parentElements: read?.elements ?? [],
      });
      parent = key(t);
    }
    const newest = parent!;
    const window = await readStoredWindow(store, newest, WINDOW);
    const readCommand = layout === "chain" ? "evalsha" : "lrange";
    const read = await measure(
      raw,
      async () => {
        for (let i = 0; i < CALLS; i++) await store.readStored(newest, WINDOW + 1);
      },
      readCommand,
    );
    let child = 1_000_000;
    const fork = await measure(
      raw,
      async () => {
        for (let i = 0; i < CALLS; i++) {
          await store.fork(newest, [key(child++)], turnItems(0), {
            maxItems: WINDOW,
            ttlSeconds: 3600,
            parentItems: window.items,
            parentElements: window.elements,
          });
        }
      },
      "evalsha",
    );
    rows.push(
      `| ${layout} | ${read.toFixed(1)} | ${fork.toFixed(1)} | ${(read + fork).toFixed(1)} |`,
    );
    if (layout === "chain") {
      // The same keys' LRANGEs in a bare script: what any Lua walk of this window pays.
      const keys: string[] = [];
      for (let t = TURNS; keys.length < WINDOW / 2 + 1; t--) keys.push(key(t));
      const lua = `local out = {}
for _, key in ipairs(KEYS) do
  local got = redis.call('LRANGE', key, 1, -1)
  for i = 1, #got do out[#out + 1] = got[i] end
end
return out`;
      const sha = String(await raw.script("LOAD", lua));
      const bare = await measure(
        raw,
        async () => {
          for (let i = 0; i < CALLS; i++) await raw.evalsha(sha, keys.length, ...keys);
        },
        "evalsha",
      );
      rows.push(`| bare Lua LRANGE of the same ${keys.length} keys | ${bare.toFixed(1)} | | |`);
    }
    await store.close();
    client.disconnect();
  }
  console.log(
    `window ${WINDOW}, ${SIZE} B items, ${CALLS} calls each, µs per call (Redis's own count)`,
  );
  console.log("| layout | read | fork | turn |\n|---|---:|---:|---:|");
  for (const row of rows) console.log(row);
} finally {
  raw.disconnect();
  await server.stop();
}
