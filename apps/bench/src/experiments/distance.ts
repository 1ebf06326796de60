/**
 * A turn at a distance: `ReplySession` with its defaults on IoRedisStore and UpstashStore
 * (HTTPS), through a proxy delaying each direction by 20 and 70 ms, warm (one store) and cold
 * (a new store per turn, no pooled connection). Prints wall time per turn (read, write) and
 * round trips per turn as the proxy counts them (a connection's handshake, then each burst of
 * client data after server data). Run: `pnpm --filter @agents-memory/bench distance [turns]`.
 * Upstash needs the throwaway certificate trusted at start-up: the script relaunches itself
 * with NODE_EXTRA_CA_CERTS set.
 */
import { spawnSync } from "node:child_process";
import { type SessionStore, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { startLatencyProxy } from "@agents-memory/test-servers/latency-proxy";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { replyTurns } from "@agents-memory/test-servers/testing";
import { prepareTrustedCertificate, trustedCertificate } from "@agents-memory/test-servers/tls";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { UpstashStore } from "@agents-memory/upstash";

if (!process.env.AGENTS_MEMORY_TEST_TLS_KEY) {
  prepareTrustedCertificate();
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: process.env,
  });
  process.exit(child.status ?? 1);
}

const TURNS = Number(process.argv[2] ?? 10);
const redis = await startRedisServer();
const upstash = await startUpstashServer({ redisPort: redis.port, tls: trustedCertificate() });
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(
  `| store | one way | mode | turns | stored | read ms (median) | write ms (median) | round trips / turn |`,
);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
let chat = 0;
for (const kind of ["ioredis", "upstash"] as const) {
  const proxy = await startLatencyProxy({
    targetPort: kind === "ioredis" ? redis.port : upstash.port,
  });
  const make = (): SessionStore =>
    kind === "ioredis"
      ? new IoRedisStore({ url: `redis://127.0.0.1:${proxy.port}`, logger: silentLogger })
      : new UpstashStore({
          url: `https://127.0.0.1:${proxy.port}`,
          token: upstash.token,
          logger: silentLogger,
        });
  for (const delayMs of [20, 70]) {
    for (const mode of ["warm", "cold"] as const) {
      proxy.setDelay(delayMs);
      proxy.dropConnections();
      const warm = make();
      if (mode === "warm")
        await replyTurns({ chatId: ++chat, turns: 1, stores: { open: () => warm } });
      proxy.resetStats();
      const records = await replyTurns({
        chatId: ++chat,
        turns: TURNS,
        logger: silentLogger,
        stores:
          mode === "warm"
            ? { open: () => warm }
            : {
                open: make,
                release: async (store) => {
                  await store.close?.();
                  proxy.dropConnections();
                  await new Promise((resolve) => setTimeout(resolve, 20));
                },
              },
      });
      await warm.close?.();
      const stored = records.filter((record) => record.persist.ok).length;
      console.log(
        `| ${kind} | ${delayMs} ms | ${mode} | ${TURNS} | ${stored} | ${median(records.map((r) => r.readMs)).toFixed(0)} | ${median(records.map((r) => r.writeMs)).toFixed(0)} | ${(proxy.stats().roundTrips / TURNS).toFixed(1)} |`,
      );
    }
  }
  await proxy.close();
}
await upstash.close();
await redis.stop();
