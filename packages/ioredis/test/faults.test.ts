import {
  ReplySession,
  StoreError,
  StoreSession,
  StoreTimeoutError,
  silentLogger,
} from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { startRedisWithReader, timed, until } from "@agents-memory/test-servers/testing";
import type { AgentInputItem } from "@openai/agents";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { IoRedisStore } from "../src";
import { flavors, majors } from "./__fixtures__/clients";

const { server, raw, stop } = await startRedisWithReader();
afterAll(stop);

const opts = { maxItems: 50, ttlSeconds: 600 };
let counter = 0;
const prefix = () => `am-fault:${process.pid}:${++counter}:`;

/**
 * The most one call may take against a dead or silent server: the 200 ms command timeout plus
 * slack for a loaded machine. A client on ioredis' defaults holds such a call ~10 s (v5) or
 * ~70 s (v6), and one that queues holds it until Redis returns; both still fail this bound.
 */
const BUDGET_MS = 1500;

describe.each(flavors)("$name", (flavor) => {
  test("server killed mid-use: calls fail fast, sessions answer without history, no failed write comes back, and the same store recovers", async () => {
    const p = prefix();
    const { store, dispose } = flavor.make(server.url);
    try {
      await store.replace(`${p}k`, [userItem("before")], 600);
      expect(await store.read(`${p}k`)).toEqual([userItem("before")]);

      await server.kill();

      const append = await timed(() => store.append(`${p}k`, [userItem("ghost")], opts));
      expect(StoreError.isInstance(append.error)).toBe(true);
      expect(append.ms).toBeLessThan(BUDGET_MS);
      const read = await timed(() => store.read(`${p}k`));
      expect(StoreError.isInstance(read.error)).toBe(true);
      expect(read.ms).toBeLessThan(BUDGET_MS);
      const fork = await timed(() =>
        store.fork(null, [`${p}child`], [userItem("ghost child")], { ...opts, parentItems: [] }),
      );
      expect(StoreError.isInstance(fork.error)).toBe(true);
      expect(fork.ms).toBeLessThan(BUDGET_MS);

      // The session layer: the user still gets an answer, quickly, without history.
      const reply = new ReplySession({
        store,
        chatId: 42,
        replyToMessageId: 7,
        timeoutMs: 250,
        logger: silentLogger,
      });
      const items = await timed(() => reply.getItems());
      expect(items.value).toEqual([]);
      expect(items.ms).toBeLessThan(BUDGET_MS);
      await reply.addItems([userItem("hi")]);
      const persisted = await timed(() => reply.persist([8]));
      expect(persisted.value).toMatchObject({ ok: false, keys: ["bot:8:42"] });
      expect(persisted.ms).toBeLessThan(BUDGET_MS);
      const stable = new StoreSession({
        store,
        key: `${p}stable`,
        failureMode: "degrade",
        logger: silentLogger,
      });
      expect(await stable.getItems()).toEqual([]);
      await expect(stable.addItems([userItem("ghost session")])).resolves.toBeUndefined();

      await server.restart();
      // Nothing was queued client-side: once the client is back, none of the writes
      // reported failed above shows up (the data died with the server; only a replay could
      // bring keys back).
      await until(() => store.read(`${p}k`));
      expect(await raw.keys(`${p}*`)).toEqual([]);
      expect(await raw.keys("bot:*")).toEqual([]);

      // The same store works again, without a restart of the app.
      await store.append(`${p}k`, [userItem("after")], opts);
      expect(await store.read(`${p}k`)).toEqual([userItem("after")]);
      expect(await raw.lrange(`${p}k`, 0, -1)).toEqual([JSON.stringify(userItem("after"))]);
    } finally {
      await dispose();
    }
  }, 30_000);

  test("server paused (connection up, no replies): a write times out within budget with an unknown outcome, and the server refuses it after the pause (no ghost write)", async () => {
    const p = prefix();
    const { store, dispose } = flavor.make(server.url, { commandTimeoutMs: 200 });
    const pauser = new Redis(server.url);
    try {
      await store.replace(`${p}k`, [userItem("a")], 600);
      await store.replace(`${p}calls`, [call], 600);
      // Long enough for every call below to time out inside it on a loaded machine. The writes
      // go out together: after a timeout the store probes the connection and replaces it when
      // the probe times out too (a stall), and a call made after that fails fast, unsent.
      await pauser.call("CLIENT", "PAUSE", "3000", "ALL");
      const transaction = { type: "append_items" as const, items: [userItem("tx")] };
      const operation = { operationId: "op-paused", fingerprint: "fp", ttlSeconds: 600 };
      const [append, fork, transact, rewrite] = await Promise.all([
        timed(() => store.append(`${p}k`, [userItem("sent")], opts)),
        timed(() =>
          store.fork(null, [`${p}child`], [userItem("sent")], { ...opts, parentItems: [] }),
        ),
        timed(() => store.transact(`${p}k`, transaction, operation)),
        timed(() => store.replaceFunctionCall(`${p}calls`, "c1", approved)),
      ]);
      expect(append.error).toBeInstanceOf(StoreTimeoutError);
      expect(append.ms).toBeLessThan(BUDGET_MS);
      for (const write of [append, fork, transact, rewrite]) {
        expect((write.error as StoreTimeoutError).outcome).toBe("unknown");
      }
      const read = await timed(() => store.read(`${p}k`));
      expect(StoreError.isInstance(read.error)).toBe(true);
      expect((read.error as StoreError).outcome).toBe("failed");

      // Redis answers again once the pause ends; the writes still on the wire run then, past
      // their deadline, and change nothing.
      await until(() => store.read(`${p}k`));
      expect(await store.read(`${p}k`)).toEqual([userItem("a")]);
      expect(await raw.exists(`${p}child`)).toBe(0);
      expect(await store.read(`${p}calls`)).toEqual([call]);
      await store.append(`${p}k`, [userItem("b")], opts);
      expect(await raw.lrange(`${p}k`, 0, -1)).toEqual(
        [userItem("a"), userItem("b")].map((item) => JSON.stringify(item)),
      );
      // The transaction never landed, nor its operation id: the caller's retry applies it.
      expect(await store.transact(`${p}k`, transaction, operation)).toBe("applied");
      expect(await store.read(`${p}k`)).toEqual([userItem("a"), userItem("b"), userItem("tx")]);
    } finally {
      pauser.disconnect();
      await dispose();
    }
  }, 20_000);

  test("a first connection to a port nobody listens on fails fast, then recovers when a server appears", async () => {
    const later = await startRedisServer();
    const port = later.port;
    await later.kill();
    const { store, dispose } = flavor.make(`redis://127.0.0.1:${port}`);
    try {
      const read = await timed(() => store.read("k"));
      expect(StoreError.isInstance(read.error)).toBe(true);
      expect(read.ms).toBeLessThan(BUDGET_MS);
      await later.restart();
      await until(() => store.replace("k", [userItem("x")], 60));
      expect(await store.read("k")).toEqual([userItem("x")]);
    } finally {
      await dispose();
      await later.stop();
    }
  });

  test("legacy and foreign values: WRONGTYPE keys read empty with a warning; a write takes them over", async () => {
    const p = prefix();
    const warnings: string[] = [];
    const logger = { warn: (_: object, message: string) => warnings.push(message), error() {} };
    const { store, dispose } = flavor.make(server.url, { logger });
    try {
      await raw.hset(`${p}hash`, "f", "v");
      await raw.sadd(`${p}set`, "m");
      await raw.zadd(`${p}zset`, 1, "m");
      for (const key of [`${p}hash`, `${p}set`, `${p}zset`]) {
        expect(await store.read(key)).toEqual([]);
        expect(await store.pop(key)).toBeUndefined();
      }
      expect(warnings.filter((w) => w.includes("another type")).length).toBe(3);

      // A reply to a message whose key holds a foreign type starts from no history.
      await store.fork(`${p}hash`, [`${p}child`], [userItem("n")], { ...opts, parentItems: [] });
      expect(await store.read(`${p}child`)).toEqual([userItem("n")]);

      await store.append(`${p}hash`, [userItem("x")], opts);
      expect(await raw.type(`${p}hash`)).toBe("list");
      expect(await store.read(`${p}hash`)).toEqual([userItem("x")]);
      await store.replace(`${p}set`, [userItem("y")], 600);
      expect(await raw.type(`${p}set`)).toBe("list");

      // A legacy string: append keeps its items, trimmed with the new ones.
      await raw.set(
        `${p}legacy`,
        JSON.stringify([userItem("l1"), userItem("l2"), userItem("l3")]),
        "EX",
        100,
      );
      await store.append(`${p}legacy`, [userItem("n1"), userItem("n2")], {
        maxItems: 4,
        ttlSeconds: 600,
      });
      expect(await store.read(`${p}legacy`)).toEqual(
        ["l2", "l3", "n1", "n2"].map((text) => userItem(text)),
      );
      expect(await raw.ttl(`${p}legacy`)).toBeGreaterThan(500);
    } finally {
      await dispose();
    }
  });

  test("a list with non-JSON elements, an empty list, and a very long list", async () => {
    const p = prefix();
    const warnings: Record<string, unknown>[] = [];
    const logger = { warn: (fields: Record<string, unknown>) => warnings.push(fields), error() {} };
    const { store, dispose } = flavor.make(server.url, { logger });
    try {
      await raw.rpush(
        `${p}bad`,
        JSON.stringify(userItem("ok1")),
        "not json at all",
        "{broken",
        "[1,2]",
        JSON.stringify(userItem("ok2")),
        "{also broken}",
      );
      expect(await store.read(`${p}bad`)).toEqual([userItem("ok1"), userItem("ok2")]);
      expect(warnings).toContainEqual(expect.objectContaining({ key: `${p}bad`, skipped: 4 }));
      // pop drops the malformed tail and returns the newest real item.
      expect(await store.pop(`${p}bad`)).toEqual(userItem("ok2"));
      expect(await raw.llen(`${p}bad`)).toBe(4);

      // Redis has no empty lists: the last pop removes the key.
      await raw.rpush(`${p}empty`, "x");
      await raw.lpop(`${p}empty`);
      expect(await store.read(`${p}empty`)).toEqual([]);
      expect(await raw.exists(`${p}empty`)).toBe(0);
      await store.replace(`${p}one`, [userItem("only")], 600);
      expect(await store.pop(`${p}one`)).toEqual(userItem("only"));
      expect(await raw.exists(`${p}one`)).toBe(0);

      // 100 000 elements: read(n) returns the newest n quickly; append trims to maxItems.
      const count = 100_000;
      const elements = Array.from({ length: count }, (_, i) => JSON.stringify(userItem(`m${i}`)));
      for (let i = 0; i < count; i += 10_000)
        await raw.rpush(`${p}long`, ...elements.slice(i, i + 10_000));
      const newest = await timed(() => store.read(`${p}long`, 50));
      expect(newest.value).toHaveLength(50);
      expect(newest.value?.[49]).toEqual(userItem(`m${count - 1}`));
      expect(newest.ms).toBeLessThan(BUDGET_MS);
      await store.append(`${p}long`, [userItem("tail")], opts);
      expect(await raw.llen(`${p}long`)).toBe(50);

      // A long list written in one call (the script pushes it in chunks).
      const many = Array.from({ length: 20_000 }, (_, i) => userItem(`w${i}`));
      const big = flavor.make(server.url, { commandTimeoutMs: 5000, logger });
      try {
        await big.store.replace(`${p}1:7`, many, 600);
        expect(await raw.llen(`${p}1:7`)).toBe(20_000);
        expect(await big.store.read(`${p}1:7`)).toEqual(many);
        const read = await big.store.read(`${p}1:7`);
        await big.store.fork(`${p}1:7`, [`${p}2:7`], [userItem("n")], {
          maxItems: 20_001,
          ttlSeconds: 600,
          parentItems: read,
        });
        // Reply keys of one chat (a link is only followed between those): the chained layout
        // stores a link to the parent and the new item, and the read walks it.
        expect(await raw.llen(`${p}2:7`)).toBe(2);
        expect(await big.store.read(`${p}2:7`)).toEqual([...many, userItem("n")]);
      } finally {
        await big.dispose();
      }
    } finally {
      await dispose();
    }
  }, 30_000);

  test("keyPrefix is prepended to every key the store is given, and to nothing else", async () => {
    const p = prefix();
    const { store, dispose } = flavor.make(server.url, { keyPrefix: `${p}app:` });
    try {
      await store.replace("r", [userItem("r")], 600);
      await store.append("a", [userItem("a")], opts);
      await store.fork("r", ["f"], [userItem("f")], { ...opts, parentItems: [userItem("r")] });
      expect((await raw.keys(`${p}*`)).sort()).toEqual([`${p}app:a`, `${p}app:f`, `${p}app:r`]);
      expect(await store.read("f")).toEqual([userItem("r"), userItem("f")]);
    } finally {
      await dispose();
    }
  });
});

describe.each(majors)("$name, a client with ioredis defaults", (major) => {
  test("the store warns at construction that the client would queue, hold or repeat calls", async () => {
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const client = major.redis(server.url, { lazyConnect: true });
    client.on("error", () => {});
    try {
      new IoRedisStore({
        client,
        logger: { warn: (fields, message) => warnings.push({ fields, message }), error() {} },
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(/failFastRedisOptions/);
      expect((warnings[0]!.fields.risks as string[]).join("\n")).toMatch(
        /enableOfflineQueue[\s\S]*commandTimeout[\s\S]*autoResendUnfulfilledCommands/,
      );
    } finally {
      client.disconnect();
    }
  });

  test("the trap the store avoids: such a client reports a write failed, then applies it when Redis returns", async () => {
    const key = `${prefix()}ghost`;
    // Even with a command timeout, the offline queue keeps the command and sends it later.
    const client = major.redis(server.url, { commandTimeout: 200, retryStrategy: () => 50 });
    client.on("error", () => {});
    try {
      await client.ping();
      await server.kill();
      const write = await timed(() => client.rpush(key, "ghost"));
      expect(write.error).toBeInstanceOf(Error);
      await server.restart();
      const value = await until(async () => {
        const elements = await raw.lrange(key, 0, -1);
        if (elements.length === 0) throw new Error("not yet");
        return elements;
      });
      expect(value).toEqual(["ghost"]);
    } finally {
      client.disconnect();
    }
  }, 20_000);
});

const call = {
  type: "function_call",
  callId: "c1",
  name: "lookup",
  arguments: "{}",
} as const satisfies AgentInputItem;
const approved = { ...call, arguments: '{"approved":true}' } as const satisfies AgentInputItem;
