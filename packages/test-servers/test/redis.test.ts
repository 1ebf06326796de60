import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../src/redis";

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

test("pause holds commands unanswered, and resume runs what was sent meanwhile", async () => {
  const client = new Redis(server.port, "127.0.0.1", { commandTimeout: 300 });
  try {
    await client.ping();
    server.pause();
    // The command reaches the frozen server's socket; the client gives up waiting for it...
    await expect(client.set("sent-while-paused", "1")).rejects.toThrow(/timed out/i);
    server.resume();
    // ...and the server, once running again, executes it anyway: the write lands.
    const reader = new Redis(server.port, "127.0.0.1");
    try {
      expect(await reader.get("sent-while-paused")).toBe("1");
    } finally {
      reader.disconnect();
    }
  } finally {
    client.disconnect();
  }
});

test("restart brings the server back on the same port, empty, and a client reconnects", async () => {
  const client = new Redis(server.port, "127.0.0.1", { retryStrategy: () => 50 });
  client.on("error", () => {});
  try {
    await client.set("before-restart", "1");
    const port = server.port;
    await server.kill();
    await expect(client.ping()).rejects.toThrow();
    await server.restart();
    expect(server.port).toBe(port);
    expect(await client.get("before-restart")).toBeNull();
  } finally {
    client.disconnect();
  }
});

test("pause and resume say so when the server is not running", async () => {
  const stopped = await startRedisServer();
  await stopped.kill();
  expect(() => stopped.pause()).toThrow(/not running/);
  expect(() => stopped.resume()).toThrow(/not running/);
  await stopped.stop();
});
