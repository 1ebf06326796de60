import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { countRoundTrips } from "../src/round-trips";
import { delta, ServerProbe } from "../src/server-stats";

describe("server counters", () => {
  let server: RedisServer;
  let probe: ServerProbe;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    probe = await ServerProbe.connect(server.url);
    client = new Redis(server.url, { lazyConnect: true });
    await client.connect();
  });

  afterAll(async () => {
    client.disconnect();
    await probe.close();
    await server.stop();
  });

  test("the probe's own INFO traffic is taken out exactly", async () => {
    await probe.snapshot();
    const before = await probe.snapshot();
    const after = await probe.snapshot();
    const idle = delta(before, after);
    expect(idle).toMatchObject({ commands: 0, bytesIn: 0, bytesOut: 0 });
  });

  test("bytes and commands are the client's, on the wire", async () => {
    const before = await probe.snapshot();
    await client.set("k", "v".repeat(1000));
    const after = await probe.snapshot();
    const used = delta(before, after);
    expect(used.commands).toBe(1);
    expect(used.calls).toEqual({ set: 1 });
    // *3 $3 set $1 k $1000 <1000 bytes>: the exact RESP request; +OK\r\n back.
    expect(used.bytesIn).toBe("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1000\r\n".length + 1000 + 2);
    expect(used.bytesOut).toBe("+OK\r\n".length);
  });

  test("MONITOR counts a script and a MULTI block as one request each", async () => {
    const count = await countRoundTrips(server.url, probe, async () => {
      await client.eval(
        "redis.call('SET', KEYS[1], 'a'); return redis.call('GET', KEYS[1])",
        1,
        "s",
      );
      await client.multi().set("a", "1").set("b", "2").exec();
      await client.get("a");
    });
    expect(count.requests).toBe(3);
    // eval + its SET and GET; MULTI, SET, SET, EXEC; GET.
    expect(count.commands).toBe(3 + 4 + 1);
    expect(count.signature).toEqual(["eval", "multi…exec", "get"]);
  });
});
