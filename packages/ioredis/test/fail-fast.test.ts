import { createServer, type Server, type Socket } from "node:net";
import { StoreError } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { freePort } from "@agents-memory/test-servers/free-port";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { timed } from "@agents-memory/test-servers/testing";
import { afterAll, describe, expect, test } from "vitest";
import { defaultOptions } from "../src";
import { flavors, majors } from "./__fixtures__/clients";

/**
 * How long one store call takes to settle when Redis is not there, with the store's default
 * options. `MEASURE=1` prints the numbers; `MEASURE_DEFAULTS=1` also measures a plain ioredis
 * client with ioredis' own defaults for comparison (~10 s on ioredis 5, ~70 s on 6):
 *
 *   MEASURE=1 MEASURE_DEFAULTS=1 pnpm --filter @agents-memory/ioredis exec vitest run test/fail-fast.test.ts
 */
const report = (line: string) => {
  if (process.env.MEASURE) console.log(line);
};
const opts = { maxItems: 50, ttlSeconds: 600 };
const { commandTimeoutMs, connectTimeoutMs } = defaultOptions;
/** Slack over a configured timeout, for a loaded machine; the defaults we guard against are 10 s+. */
const SLACK_MS = 750;

/** A TCP server that accepts connections and never answers: an unresponsive Redis. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const silent = await silentServer();
afterAll(() => silent.close());

describe.each(flavors)("$name, default options", (flavor) => {
  test("Redis killed after the store was in use: a call settles within the command timeout", async () => {
    const server = await startRedisServer();
    const { store, dispose } = flavor.make(server.url);
    try {
      await store.append("k", [userItem("x")], opts);
      await server.kill();
      // The first call may meet the dying connection; later ones meet the reconnecting client.
      for (const attempt of [1, 2, 3]) {
        const call = await timed(() => store.append("k", [userItem("y")], opts));
        report(`${flavor.name}: killed server, append #${attempt}: ${call.ms.toFixed(1)} ms`);
        expect(StoreError.isInstance(call.error)).toBe(true);
        expect(call.ms).toBeLessThan(commandTimeoutMs + SLACK_MS);
      }
    } finally {
      await dispose();
      await server.stop();
    }
  });

  test("nothing listening on the port: the first call fails at once (connection refused)", async () => {
    const { store, dispose } = flavor.make(`redis://127.0.0.1:${await freePort()}`);
    try {
      for (const attempt of [1, 2]) {
        const call = await timed(() => store.read("k"));
        report(`${flavor.name}: refused port, read #${attempt}: ${call.ms.toFixed(1)} ms`);
        expect(StoreError.isInstance(call.error)).toBe(true);
        expect(call.ms).toBeLessThan(commandTimeoutMs + SLACK_MS);
      }
    } finally {
      await dispose();
    }
  });

  test("a server that accepts but never answers: the first call waits at most connectTimeoutMs", async () => {
    const { store, dispose } = flavor.make(`redis://127.0.0.1:${silent.port}`);
    try {
      for (const attempt of [1, 2]) {
        const call = await timed(() => store.read("k"));
        report(`${flavor.name}: silent server, read #${attempt}: ${call.ms.toFixed(1)} ms`);
        expect(StoreError.isInstance(call.error)).toBe(true);
        expect(call.ms).toBeLessThan(connectTimeoutMs + SLACK_MS);
      }
    } finally {
      await dispose();
    }
  });
});

describe.runIf(process.env.MEASURE_DEFAULTS)("for comparison: ioredis' own defaults", () => {
  test.each(majors)(
    "$name: `await redis.get(k)` with nothing listening",
    async (major) => {
      const client = major.redis(`redis://127.0.0.1:${await freePort()}`) as {
        get(key: string): Promise<unknown>;
        on(event: string, listener: () => void): void;
        disconnect(): void;
      };
      client.on("error", () => {});
      try {
        const call = await timed(() => client.get("k"));
        console.log(`${major.name} defaults, refused port, get: ${(call.ms / 1000).toFixed(1)} s`);
        expect(call.error).toBeInstanceOf(Error);
      } finally {
        client.disconnect();
      }
    },
    180_000,
  );
});
