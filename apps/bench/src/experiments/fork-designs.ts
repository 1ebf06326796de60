/**
 * What bounds row 1 against rows 2 and 3: the Redis side of a turn under other designs, and the
 * client side's pieces. Bare ioredis, one chat, pre-built payloads; the child key is
 * overwritten every turn. Run: `pnpm --filter @agents-memory/bench run fork-designs`.
 *
 * Not part of `pnpm bench`: these are candidate designs, not shipped code.
 */
import { silentLogger } from "@agents-memory/core";
import { REDIS_LUA } from "@agents-memory/core/redis";
import { fingerprintItems, parseStoredElements } from "@agents-memory/core/store";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { Conversation } from "../content";

/** The last 8 bytes of DUMP: a CRC64 of the serialized value, computed natively. */
const DUMP_CRC = `local d = redis.call('DUMP', KEYS[1]); if not d then return '' end; return string.sub(d, -8)`;
/** A fork proven by a token read atomically with the history, copied natively with COPY. */
const FORK_BY_TOKEN = `
local d = redis.call('DUMP', KEYS[1])
if not d or string.sub(d, -8) ~= ARGV[2] then return 0 end
redis.call('COPY', KEYS[1], KEYS[2], 'REPLACE')
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('RPUSH', KEYS[2], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1`;

const server = await startRedisServer();
const redis = new Redis(server.url);
try {
  const crcSha = String(await redis.script("LOAD", DUMP_CRC));
  const tokenForkSha = String(await redis.script("LOAD", FORK_BY_TOKEN));
  const READ = { sha: String(await redis.script("LOAD", REDIS_LUA.read)) };
  const FORK_COPY = { sha: String(await redis.script("LOAD", REDIS_LUA.forkCopy)) };
  const cpuSeconds = async () => {
    const info = await redis.info("cpu");
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
    return field("used_cpu_user") + field("used_cpu_sys");
  };
  const time = async (label: string, turns: number, turn: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await turn();
    const latencies: number[] = [];
    const cpuBefore = await cpuSeconds();
    for (let i = 0; i < turns; i++) {
      const started = process.hrtime.bigint();
      await turn();
      latencies.push(Number(process.hrtime.bigint() - started));
    }
    const cpu = ((await cpuSeconds()) - cpuBefore) / turns;
    latencies.sort((a, b) => a - b);
    const p50 = latencies[latencies.length >> 1]! / 1e6;
    console.log(
      `  ${label.padEnd(52)} p50 ${p50.toFixed(2).padStart(6)} ms   redis CPU ${(cpu * 1e6).toFixed(0).padStart(6)} µs/turn`,
    );
  };
  const clientTime = async (label: string, runs: number, work: () => unknown) => {
    for (let i = 0; i < 10; i++) await work();
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await work();
    const ms = Number(process.hrtime.bigint() - started) / runs / 1e6;
    console.log(`  ${label.padEnd(52)} ${ms.toFixed(2).padStart(6)} ms`);
  };

  for (const [window, itemBytes] of [
    [50, 1024],
    [200, 4096],
  ] as const) {
    const conversation = new Conversation(itemBytes);
    const items = conversation.history(0, window);
    const elements = conversation.historyElements(0, window);
    const fingerprint = conversation.fingerprint(0, window);
    const fresh = conversation.newElements(0);
    const blob = JSON.stringify(items);
    await redis.flushall();
    await redis.rpush("bot:1:1", ...elements);
    await redis.set("blob:1", blob);
    const token = String(await redis.evalsha(crcSha, 1, "bot:1:1"));
    const turns = window === 200 ? 300 : 2000;
    console.log(`window ${window}, ${itemBytes} B items: Redis side of a turn`);
    await time("legacy: GET + SET EX (no JSON work)", turns, async () => {
      await redis.get("blob:1");
      await redis.set("blob:2", blob, "EX", 1000);
    });
    await time("store today: READ script + FORK_COPY script", turns, async () => {
      await redis.evalsha(READ.sha, 1, "bot:1:1", window);
      await redis.evalsha(
        FORK_COPY.sha,
        2,
        "bot:1:1",
        "bot:2:1",
        1000,
        window,
        fingerprint,
        window - 2,
        ...fresh,
      );
    });
    await time("plain LRANGE + FORK_COPY script", turns, async () => {
      await redis.lrange("bot:1:1", -window, -1);
      await redis.evalsha(
        FORK_COPY.sha,
        2,
        "bot:1:1",
        "bot:2:1",
        1000,
        window,
        fingerprint,
        window - 2,
        ...fresh,
      );
    });
    await time("MULTI(LRANGE, DUMP crc) + fork by token with COPY", turns, async () => {
      await redis.multi().lrange("bot:1:1", -window, -1).evalsha(crcSha, 1, "bot:1:1").exec();
      await redis.evalsha(tokenForkSha, 2, "bot:1:1", "bot:2:1", 1000, token, window - 2, ...fresh);
    });
    const copied = await redis.lrange("bot:2:1", 0, -1);
    if (copied.length !== window || copied.at(-1) !== fresh.at(-1)) {
      throw new Error("the token fork wrote the wrong list");
    }
    console.log(`window ${window}, ${itemBytes} B items: client side of a turn`);
    const runs = window === 200 ? 100 : 1000;
    const context = { key: "k", logger: silentLogger, store: "bench" };
    await clientTime("legacy: JSON.parse(blob)", runs, () => JSON.parse(blob));
    await clientTime("legacy: JSON.stringify(history)", runs, () => JSON.stringify(items));
    await clientTime("row 1: parse the elements read", runs, () =>
      parseStoredElements(elements, context),
    );
    await clientTime("row 1: one structuredClone of the history", runs, () =>
      items.map((item) => structuredClone(item)),
    );
    await clientTime("row 1: fingerprintItems(history)", runs, () => fingerprintItems(items));
  }
} finally {
  redis.disconnect();
  await server.stop();
}
