import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePorts } from "../src/free-port";
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

// A CI run lost a Cluster test file to "redis-server exited (1): " with no reason: redis says
// it on stdout, and two separate free-port picks (a node's client and bus ports) can coincide.
test("a server that cannot start says why (redis's own words); ports picked together are distinct", async () => {
  const [port] = await freePorts(1);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
  try {
    await expect(startRedisServer({ port })).rejects.toThrow(/Address already in use/);
  } finally {
    taken.close();
  }
  const ports = await freePorts(8);
  expect(new Set(ports).size).toBe(8);
});
