/**
 * `pnpm dev-servers`: the local stand-ins the examples and the bot run against, on free
 * loopback ports, until Ctrl-C. Prints the environment to paste into another terminal.
 *
 * - a `redis-server` (REDIS_URL);
 * - the local Upstash REST server in front of a second `redis-server`, so a conversation
 *   moved from Redis to Upstash really changes database (UPSTASH_REDIS_REST_URL / _TOKEN);
 * - the local Responses API server answering as {@link devModel} says (OPENAI_*).
 */

import { startResponsesServer } from "../openai";
import { type RedisServer, startRedisServer } from "../redis";
import { startUpstashServer, type UpstashServer } from "../upstash";
import { devModel } from "./dev-model";

const redises: RedisServer[] = [];
const closers: (() => Promise<void>)[] = [];
let stopping = false;

async function stop(code: number): Promise<never> {
  stopping = true;
  // Servers first (they hold connections to the redis-servers), then the redis-servers.
  await Promise.allSettled(closers.map((close) => close()));
  await Promise.allSettled(redises.map((redis) => redis.stop()));
  process.exit(code);
}

// Ctrl-C stops everything and exits 0. pnpm passes the terminal's SIGINT on once more: a
// repeat is ignored.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (!stopping) void stop(0);
  });
}

try {
  const redis = await startRedisServer();
  redises.push(redis);
  const upstashRedis = await startRedisServer();
  redises.push(upstashRedis);
  const upstash: UpstashServer = await startUpstashServer({ redisPort: upstashRedis.port });
  closers.push(() => upstash.close());
  const openai = await startResponsesServer({ apiKey: "dev-key", model: "gpt-dev" });
  closers.push(() => openai.close());
  openai.respondWith(devModel);

  const env = {
    REDIS_URL: redis.url,
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_MODEL: "gpt-dev",
    // The SDK would send traces to OpenAI, which refuses the local key.
    OPENAI_AGENTS_DISABLE_TRACING: "1",
  };
  console.log(`Local servers, until Ctrl-C:
  Redis         ${redis.url}
  Upstash REST  ${upstash.url} (in front of its own redis-server, port ${upstashRedis.port})
  Responses API ${openai.baseURL} (model gpt-dev: echoes, calls a tool the message names)

In another terminal, from anywhere:

export ${Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ")}
`);
} catch (error) {
  console.error("dev-servers: could not start:", error);
  await stop(1);
}
