/**
 * What the Lua `pair_role` pre-check buys on `append` (the stable-key session's write, which no
 * `pnpm bench` row runs): `StoreSession` with `maxItems` appends 2 items to a full window, and
 * the APPEND script finds the window's pair-safe start by looking at every element of it. With
 * the pre-check, an element that names no reasoning type and no call link is not decoded; the
 * simple version decodes every element with cjson. One chat, 200 calls per round, three
 * alternating rounds, windows of 50 x 1 KB and 200 x 4 KB of plain messages.
 * Run: `pnpm --filter @agents-memory/bench run append-window`.
 */
import { REDIS_LUA } from "@agents-memory/core/redis";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { Conversation } from "../content";

const CALLS = 200;
const ROUNDS = 3;

const HINTS = / {2}local hinted = false[\s\S]*?if not hinted then return nil end\n/;
if (!HINTS.test(REDIS_LUA.append)) throw new Error("the APPEND script has no pre-check to remove");
const variants = {
  "with the pre-check": REDIS_LUA.append,
  "decoding every element": REDIS_LUA.append.replace(HINTS, ""),
};

const server = await startRedisServer();
const client = new Redis(server.url);
try {
  for (const [window, itemBytes] of [
    [50, 1024],
    [200, 4096],
  ] as const) {
    const conversation = new Conversation(itemBytes);
    const figures = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, lua] of Object.entries(variants)) {
        const sha = (await client.script("LOAD", lua)) as string;
        await client.del("k");
        await client.rpush("k", ...conversation.historyElements(0, window));
        const started = process.hrtime.bigint();
        for (let call = 0; call < CALLS; call++) {
          // deadline 0 (none), maxItems, TTL, maxTokens 0 (none), no legacy string (sha1 '',
          // no elements), then the 2 new elements.
          await client.evalsha(
            sha,
            1,
            "k",
            0,
            window,
            600,
            0,
            "",
            0,
            ...conversation.newElements(call),
          );
        }
        const micros = Number(process.hrtime.bigint() - started) / 1000 / CALLS;
        figures.set(name, [...(figures.get(name) ?? []), micros]);
      }
    }
    for (const [name, values] of figures) {
      const sorted = values.map((value) => Math.round(value)).sort((a, b) => a - b);
      console.log(`${window} x ${itemBytes} B, ${name}: ${sorted.join(", ")} µs per append`);
    }
  }
} finally {
  client.disconnect();
  await server.stop();
}
