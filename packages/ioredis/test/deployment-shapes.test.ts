import { StoreError, StoreShapeError, silentLogger } from "@agents-memory/core";
import { assistantItem, userItem } from "@agents-memory/core/testing";
import { startClusterModeNode } from "@agents-memory/test-servers/cluster";
import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import {
  type ScriptRefusingProxy,
  startScriptRefusingProxy,
} from "@agents-memory/test-servers/script-refusing-proxy";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { failFastRedisOptions, IoRedisStore } from "../src";
import { SLOW, threeTurns } from "./__fixtures__/three-turns";

let chat = 900;

describe("check() on a plain redis-server", () => {
  let server: RedisServer;
  let raw: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  test("writes, forks and reads a two-turn chain, says so in one line, and leaves no key", async () => {
    const logger = recordingLogger();
    const store = new IoRedisStore({
      url: server.url,
      commandTimeoutMs: SLOW,
      keyPrefix: "s:",
      logger,
    });
    try {
      const found = await store.check();
      expect(found).toMatchObject({ layout: "chain", fenced: true, warnings: [] });
      expect(found.roundTripMs).toBeGreaterThan(0);
      expect(found.summary).toMatch(
        /^ioredis store check passed: .* under s:agents-memory-check:\*; layout chain, write fence on, round trip \d+\.\d ms$/,
      );
      expect(await raw.keys("*agents-memory-check*")).toEqual([]);
      expect(logger.warnings).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test("a caller's client with keyPrefix passes the check", async () => {
    const client = new Redis(server.url, {
      ...failFastRedisOptions({ commandTimeoutMs: SLOW }),
      keyPrefix: "app:",
    });
    const store = new IoRedisStore({ client, logger: silentLogger });
    try {
      expect((await store.check()).layout).toBe("chain");
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});

describe("refused credentials", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
    const admin = new Redis(server.url);
    await admin.config("SET", "requirepass", "right-secret");
    admin.disconnect();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("connect() and check() name the refusal in one line, without the password", async () => {
    const store = new IoRedisStore({
      commandTimeoutMs: SLOW,
      url: `redis://:wrong-secret@127.0.0.1:${server.port}`,
      logger: silentLogger,
    });
    try {
      for (const call of [() => store.connect(), () => store.check()]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(StoreShapeError.isInstance(error)).toBe(true);
        expect((error as StoreShapeError).problem).toBe("credentials");
        expect((error as Error).message).toMatch(/refused the credentials \(.*WRONGPASS/);
        expect((error as Error).message).not.toContain("wrong-secret");
        expect((error as Error).message).not.toContain("\n");
      }
    } finally {
      await store.close();
    }
  });

  test("a store call without check() first names the refusal too, on the first call and later ones", async () => {
    const store = new IoRedisStore({
      commandTimeoutMs: SLOW,
      url: `redis://:wrong-secret@127.0.0.1:${server.port}`,
      logger: silentLogger,
    });
    try {
      for (let call = 0; call < 2; call++) {
        const error = await store.read("am-credentials:k").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(StoreError.isInstance(error), String(error)).toBe(true);
        expect((error as StoreError).outcome).toBe("failed");
        expect((error as Error).message).toMatch(/refused the credentials \(.*WRONGPASS/);
        expect((error as Error).message).not.toContain("wrong-secret");
      }
    } finally {
      await store.close();
    }
  });
});

describe("a cluster-mode server (one node owning every slot)", () => {
  let node: RedisServer;
  beforeAll(async () => {
    node = await startClusterModeNode();
  });
  afterAll(async () => {
    await node?.stop();
  });

  test("behind redis://: connect() and check() refuse, naming redis+cluster://", async () => {
    const store = new IoRedisStore({ url: node.url, commandTimeoutMs: SLOW, logger: silentLogger });
    try {
      for (const call of [() => store.connect(), () => store.check()]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(StoreShapeError.isInstance(error)).toBe(true);
        expect((error as StoreShapeError).problem).toBe("cluster-mode");
        expect((error as Error).message).toContain(`redis+cluster://127.0.0.1:${node.port}`);
      }
    } finally {
      await store.close();
    }
  });

  test("behind redis:// without connect(): a fork's CROSSSLOT error names the fix", async () => {
    const store = new IoRedisStore({ url: node.url, commandTimeoutMs: SLOW, logger: silentLogger });
    try {
      const parentItems = [userItem("q"), assistantItem("a")];
      await store.replace("bot:1:5", parentItems, 60);
      const error = await store
        .fork("bot:1:5", ["bot:2:5"], [userItem("q2")], {
          maxItems: 50,
          ttlSeconds: 60,
          parentItems,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((error as Error).message).toMatch(/CROSSSLOT.*connect with a redis\+cluster:\/\/ URL/);
    } finally {
      await store.close();
    }
  });

  test("behind redis+cluster://: the store builds its own Cluster client; check passes and a 3-turn chain reads whole", async () => {
    const store = new IoRedisStore({
      commandTimeoutMs: SLOW,
      url: `redis+cluster://127.0.0.1:${node.port}`,
      logger: silentLogger,
    });
    try {
      expect(store.client.isCluster).toBe(true);
      expect((await store.check()).layout).toBe("copy");
      expect((await threeTurns(store, ++chat)).seen).toEqual([0, 2, 4, 6]);
    } finally {
      await store.close();
    }
    expect(store.client.status).toBe("end");
  });
});

describe("servers that refuse part of a script (stand-ins: a RESP proxy in front of redis-server)", () => {
  let server: RedisServer;
  let raw: Redis;
  const proxies: ScriptRefusingProxy[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await server?.stop();
  });

  test("scripts touching undeclared keys refused (Dragonfly): the check switches to the copy layout with one warning; every turn's history is whole", async () => {
    const proxy = await startScriptRefusingProxy(server, "undeclared-keys");
    proxies.push(proxy);
    const logger = recordingLogger();
    const store = new IoRedisStore({ url: proxy.url, commandTimeoutMs: SLOW, logger });
    try {
      const found = await store.check();
      expect(found).toMatchObject({ layout: "copy", fenced: true });
      expect(found.warnings).toHaveLength(1);
      expect(found.warnings[0]).toMatch(/refuses scripts that touch keys they do not declare/);
      expect(found.summary).toContain("layout copy");
      expect((await threeTurns(store, ++chat)).seen).toEqual([0, 2, 4, 6]);
      const adaptations = logger.warnings.filter((line) => line.fields.adapted === "layout");
      expect(adaptations).toHaveLength(1);
      expect(String(adaptations[0]!.fields.cause)).toMatch(/undeclared key/);
      expect(proxy.scripts()).toBeGreaterThan(0);
      expect(await raw.keys("*agents-memory-check*")).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test("a write after TIME refused (Redis < 5): writes still land without the fence, one warning says what that means", async () => {
    const proxy = await startScriptRefusingProxy(server, "write-after-time");
    proxies.push(proxy);
    const logger = recordingLogger();
    const store = new IoRedisStore({ url: proxy.url, commandTimeoutMs: SLOW, logger });
    try {
      const found = await store.check();
      expect(found).toMatchObject({ layout: "chain", fenced: false });
      expect(found.summary).toContain("write fence OFF");
      expect(found.warnings).toHaveLength(1);
      expect(found.warnings[0]).toMatch(/without the deadline fence.*may still land later/);
      expect((await threeTurns(store, ++chat)).seen).toEqual([0, 2, 4, 6]);
      expect(logger.warnings.filter((line) => line.fields.adapted === "fence")).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  test("without check(), the first refused write is sent again unfenced and lands", async () => {
    const proxy = await startScriptRefusingProxy(server, "write-after-time");
    proxies.push(proxy);
    const logger = recordingLogger();
    const store = new IoRedisStore({ url: proxy.url, commandTimeoutMs: SLOW, logger });
    try {
      await store.replace("shapes:unchecked", [userItem("kept")], 60);
      expect(await raw.lrange("shapes:unchecked", 0, -1)).toHaveLength(1);
      expect(store.fenced).toBe(false);
      expect(logger.warnings.filter((line) => line.fields.adapted === "fence")).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
