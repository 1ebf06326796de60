import { silentLogger } from "@agents-memory/core";
import {
  chainLinkElement,
  fingerprintItems,
  parseChainLink,
  readStoredWindow,
} from "@agents-memory/core/store";
import { assistantItem, rawHistory, rk, userItem } from "@agents-memory/core/testing";
import { redisRawAccess } from "@agents-memory/test-servers/redis-raw";
import { startRedisWithReader } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { createIoRedisStore, defaultOptions, failFastRedisOptions, IoRedisStore } from "../src";
import { majors } from "./__fixtures__/clients";

const { server, raw, stop } = await startRedisWithReader();
afterAll(stop);
const rawAccess = redisRawAccess(raw);

let counter = 0;
const prefix = () => `am-store:${process.pid}:${++counter}:`;
const opts = { maxItems: 50, ttlSeconds: 600 };

/**
 * Records the commands the server receives from other connections while `run` runs (the
 * commands a script makes inside Redis are left out).
 */
async function monitored(run: () => Promise<void>): Promise<string[][]> {
  const monitor = await raw.duplicate().monitor();
  const seen: string[][] = [];
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (!/lua/i.test(source)) seen.push(args);
  });
  try {
    await run();
    // MONITOR lines can trail the replies; a PING through the store's server marks the end.
    await raw.ping("monitor-end");
    await new Promise<void>((resolve) => {
      const check = () =>
        seen.some((args) => args[0]?.toLowerCase() === "ping" && args[1] === "monitor-end")
          ? resolve()
          : setTimeout(check, 5);
      check();
    });
  } finally {
    monitor.disconnect();
  }
  return seen.filter((args) => !(args[0]?.toLowerCase() === "ping"));
}

describe.each(majors)("$name", (major) => {
  test("a reply's fork sends the new items and a fingerprint, not the history (one round trip)", async () => {
    const p = prefix();
    const client = major.redis(server.url, failFastRedisOptions());
    const store = new IoRedisStore({ client, logger: silentLogger });
    try {
      const history = Array.from({ length: 30 }, (_, i) =>
        i % 2 ? assistantItem(`answer ${i} ${"x".repeat(200)}`) : userItem(`question ${i}`),
      );
      await store.replace(rk(p, "parent"), history, 600);
      const read = await store.read(rk(p, "parent"), 50);
      // Warm the server's script cache (a fresh server answers the first EVALSHA with NOSCRIPT).
      await store.fork(rk(p, "parent"), [rk(p, "warm")], [], { ...opts, parentItems: read });
      const commands = await monitored(() =>
        store.fork(rk(p, "parent"), [rk(p, "a"), rk(p, "b")], [userItem("new")], {
          ...opts,
          parentItems: read,
        }),
      );
      const calls = commands.filter((args) => /^eval/i.test(args[0] ?? ""));
      expect(calls).toHaveLength(1);
      const sent = calls[0]!.join(" ");
      expect(sent).toContain(await fingerprintItems(read));
      expect(sent).not.toContain("answer 1 ");
      expect(sent.length).toBeLessThan(1000);
      for (const child of [rk(p, "a"), rk(p, "b")]) {
        expect(await store.read(child)).toEqual([...history, userItem("new")]);
      }
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  test.each(["chain", "copy"] as const)(
    "history is read as text and forks from it in one trip, verbatim (%s layout)",
    async (layout) => {
      const p = prefix();
      const client = major.redis(server.url, failFastRedisOptions());
      const store = new IoRedisStore({ client, layout, logger: silentLogger });
      try {
        const history = [userItem("привет 👋"), assistantItem("ünïcödé ✓"), userItem("日本語")];
        await store.replace(rk(p, "parent"), history, 600);
        const read = await store.readStored(rk(p, "parent"));
        expect(read.elements.every((element) => typeof element === "string")).toBe(true);
        expect(read.items).toEqual(history);
        // Loads the fork script (no NOSCRIPT fallback below).
        await store.fork(rk(p, "parent"), [rk(p, "warm")], [], {
          ...opts,
          parentItems: [],
          parentElements: read.elements,
        });
        const fork = (child: string) =>
          store.fork(rk(p, "parent"), [child], [userItem("n")], {
            ...opts,
            parentItems: [],
            parentElements: read.elements,
          });
        const shared = await monitored(() => fork(rk(p, "shared")));
        expect(shared.filter((args) => /^eval/i.test(args[0] ?? ""))).toHaveLength(1);
        const expected = [
          ...history.map((item) => JSON.stringify(item)),
          JSON.stringify(userItem("n")),
        ];
        // chain: a link to the parent and the new item; copy: the whole window.
        const stored = await raw.lrange(rk(p, "shared"), 0, -1);
        if (layout === "chain") {
          expect(parseChainLink(stored[0])).toEqual({
            take: 3,
            parent: rk(p, "parent"),
            floor: expect.any(Number),
          });
          expect(stored.slice(1)).toEqual(expected.slice(-1));
        } else {
          expect(stored).toEqual(expected);
        }
        expect(await rawHistory(rawAccess, rk(p, "shared"))).toEqual(expected);
        const sharedRead = await store.readStored(rk(p, "shared"));
        expect(sharedRead.elements).toEqual(expected);
        // A changed parent: the elements as read are resent, verbatim.
        await raw.rpush(rk(p, "parent"), JSON.stringify(userItem("other branch")));
        await fork(rk(p, "resent"));
        expect(await raw.lrange(rk(p, "resent"), 0, -1)).toEqual(expected);
      } finally {
        await store.close();
        client.disconnect();
      }
    },
  );

  test("a turn on the chained layout is two round trips, each one script call", async () => {
    const p = prefix();
    const client = major.redis(server.url, failFastRedisOptions());
    const store = new IoRedisStore({ client, logger: silentLogger });
    try {
      expect(store.layout).toBe("chain");
      await store.connect();
      await store.replace(rk(p, "m0"), [userItem("q0"), assistantItem("a0")], 600);
      const turn = async (parent: string, child: string) => {
        const read = await store.readStored(parent, 51);
        await store.fork(parent, [child], [userItem("q"), assistantItem("a")], {
          ...opts,
          parentItems: read.items,
          parentElements: read.elements,
        });
      };
      await turn(rk(p, "m0"), rk(p, "m1")); // loads the scripts
      const commands = await monitored(() => turn(rk(p, "m1"), rk(p, "m2")));
      expect(commands.map((args) => args[0]?.toLowerCase())).toEqual(["evalsha", "evalsha"]);
      expect(await store.read(rk(p, "m2"))).toHaveLength(6);
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  test("a store on the copy layout reads and forks a chain the chained layout wrote", async () => {
    const p = prefix();
    const client = major.redis(server.url, failFastRedisOptions());
    const chain = new IoRedisStore({ client, layout: "chain", logger: silentLogger });
    const copy = new IoRedisStore({ client, layout: "copy", logger: silentLogger });
    try {
      await chain.fork(null, [rk(p, "m0")], [userItem("q0")], { ...opts, parentItems: [] });
      for (let turn = 1; turn < 4; turn++) {
        const read = await chain.readStored(rk(p, `m${turn - 1}`));
        await chain.fork(rk(p, `m${turn - 1}`), [rk(p, `m${turn}`)], [userItem(`q${turn}`)], {
          ...opts,
          parentItems: read.items,
          parentElements: read.elements,
        });
      }
      const expected = [0, 1, 2, 3].map((turn) => userItem(`q${turn}`));
      expect(await copy.read(rk(p, "m3"))).toEqual(expected);
      expect(await copy.read(rk(p, "m3"), 2)).toEqual(expected.slice(-2));
      const read = await copy.readStored(rk(p, "m3"));
      await copy.fork(rk(p, "m3"), [rk(p, "m4")], [userItem("q4")], {
        ...opts,
        parentItems: read.items,
        parentElements: read.elements,
      });
      expect(await chain.read(rk(p, "m4"))).toEqual([...expected, userItem("q4")]);
    } finally {
      client.disconnect();
    }
  });

  test("when the parent changed after it was read, the fork sends what was read (second trip)", async () => {
    const p = prefix();
    const client = major.redis(server.url, failFastRedisOptions());
    const store = new IoRedisStore({ client, logger: silentLogger });
    try {
      await store.replace(rk(p, "parent"), [userItem("u1"), assistantItem("a1")], 600);
      const read = await store.read(rk(p, "parent"));
      await raw.rpush(rk(p, "parent"), JSON.stringify(userItem("other branch")));
      const commands = await monitored(() =>
        store.fork(rk(p, "parent"), [rk(p, "child")], [userItem("u2")], {
          ...opts,
          parentItems: read,
        }),
      );
      expect(commands.filter((args) => /^eval/i.test(args[0] ?? ""))).toHaveLength(2);
      expect(await store.read(rk(p, "child"))).toEqual([...read, userItem("u2")]);
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});

test("pop on a legacy string with a TTL: the list it leaves keeps the remaining TTL", async () => {
  const p = prefix();
  const store = new IoRedisStore({ client: raw, logger: silentLogger });
  await raw.set(rk(p, "legacy"), JSON.stringify([userItem("l0"), userItem("l1")]), "EX", 500);
  expect(await store.pop(rk(p, "legacy"))).toEqual(userItem("l1"));
  expect(await raw.type(rk(p, "legacy"))).toBe("list");
  const ttl = await raw.ttl(rk(p, "legacy"));
  expect(ttl).toBeGreaterThan(490);
  expect(ttl).toBeLessThanOrEqual(500);
});

describe("construction and close", () => {
  test("defaultOptions documents the defaults", () => {
    expect(defaultOptions).toEqual({
      keyPrefix: "",
      commandTimeoutMs: 1000,
      connectTimeoutMs: 1000,
      maxReconnectDelayMs: 2000,
    });
  });

  test("close() ends a client the store built, and leaves a caller's client open", async () => {
    const owned = createIoRedisStore({ url: server.url, logger: silentLogger });
    await owned.replace("close-test", [userItem("x")], 60);
    await owned.close();
    expect(owned.client.status).toBe("end");
    await expect(owned.read("close-test")).rejects.toThrow(/closed/);

    const client = new Redis(server.url, failFastRedisOptions());
    const borrowed = new IoRedisStore({ client, logger: silentLogger });
    expect(await borrowed.read("close-test")).toEqual([userItem("x")]);
    await borrowed.close();
    expect(client.status).toBe("ready");
    expect(await client.exists("close-test")).toBe(1);
    client.disconnect();
  });

  test("builds from redisOptions or REDIS_URL; rejects ambiguous or missing connection settings", async () => {
    const fromOptions = new IoRedisStore({
      redisOptions: { host: "127.0.0.1", port: server.port },
      logger: silentLogger,
    });
    await fromOptions.replace("opts", [userItem("o")], 60);
    expect(await fromOptions.read("opts")).toEqual([userItem("o")]);
    await fromOptions.close();

    const saved = process.env.REDIS_URL;
    try {
      process.env.REDIS_URL = server.url;
      const fromEnv = new IoRedisStore({ logger: silentLogger });
      expect(await fromEnv.read("opts")).toEqual([userItem("o")]);
      await fromEnv.close();
      delete process.env.REDIS_URL;
      expect(() => new IoRedisStore({ logger: silentLogger })).toThrow(/REDIS_URL/);
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
    const client = new Redis(server.url, failFastRedisOptions());
    expect(() => new IoRedisStore({ client, url: server.url })).toThrow(/either a client/);
    client.disconnect();
    expect(() => new IoRedisStore({ url: server.url, commandTimeoutMs: 0 })).toThrow(RangeError);
  });

  test("a misspelt option is refused at construction, naming the option meant, before connecting", () => {
    // From plain JS, `keyprefix` would be ignored: two deployments meant apart would share keys.
    expect(() => new IoRedisStore({ url: server.url, keyprefix: "tenant-a:" } as never)).toThrow(
      /^\[agents-memory\] \[ioredis\] unknown option "keyprefix" \(did you mean "keyPrefix"\?\)$/,
    );
    expect(() => new IoRedisStore({ url: server.url, commandTimeout: 500 } as never)).toThrow(
      /unknown option "commandTimeout" \(did you mean "commandTimeoutMs"\?\)$/,
    );
    // Nothing close to `ttl` (not `url`): the message lists the options instead.
    expect(() => new IoRedisStore({ url: server.url, ttl: 60 } as never)).toThrow(
      /unknown option "ttl"; the options are keyPrefix, logger, legacyStrings, layout, client, url, clusterNodes, redisOptions, clusterOptions, commandTimeoutMs, connectTimeoutMs, maxReconnectDelayMs$/,
    );
  });

  test("a fail-fast client the caller built draws no warning", () => {
    const warnings: string[] = [];
    const client = new Redis(server.url, failFastRedisOptions());
    new IoRedisStore({
      client,
      logger: { warn: (_, message) => warnings.push(message), error() {} },
    });
    expect(warnings).toEqual([]);
    client.disconnect();
  });
});

test("legacyStrings: false reads a JSON-array string as a value of another type and replaces it on write", async () => {
  const p = prefix();
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const store = new IoRedisStore({
    url: server.url,
    legacyStrings: false,
    logger: { warn: (fields, message) => warnings.push({ fields, message }), error() {} },
  });
  try {
    const legacy = JSON.stringify([userItem("py-user"), assistantItem("py-bot")]);
    await raw.set(rk(p, "legacy"), legacy);
    expect(await store.read(rk(p, "legacy"))).toEqual([]);
    expect(await store.pop(rk(p, "legacy"))).toBeUndefined();
    expect(await raw.get(rk(p, "legacy"))).toBe(legacy);
    await store.append(rk(p, "legacy"), [userItem("new")], opts);
    expect(await store.read(rk(p, "legacy"))).toEqual([userItem("new")]);
    expect(await raw.type(rk(p, "legacy"))).toBe("list");
    expect(warnings.map((w) => [w.fields.type, w.message])).toEqual([
      ["string", "the key holds a value of another type; read as empty"],
      ["string", "append replaced a value of another type with the list layout"],
    ]);
    // The default reads the same value as its items.
    await raw.set(rk(p, "default"), legacy);
    const byDefault = new IoRedisStore({ url: server.url, logger: silentLogger });
    expect(await byDefault.read(rk(p, "default"))).toEqual(JSON.parse(legacy));
    await byDefault.close();
  } finally {
    await store.close();
  }
});

test("a url that is not redis:// or rediss:// is refused at construction, never quoting its password", () => {
  const saved = process.env.REDIS_URL;
  try {
    for (const url of [
      "reddis://:S3cret@127.0.0.1:6379",
      "http://default:S3cret@127.0.0.1:6379",
      "redis//:S3cret@host",
      "default:S3cret@host:6379",
      "redis://:S3cret@",
    ]) {
      let message = "";
      try {
        new IoRedisStore({ url, logger: silentLogger });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, url).toMatch(
        /must be a redis:\/\/ or rediss:\/\/ URL|is not a usable URL: a malformed URL \(expected redis:\/\/|names no host/,
      );
      expect(message, url).not.toContain("S3cret");
    }
    process.env.REDIS_URL = "reddis://:S3cret@127.0.0.1:6379";
    expect(() => new IoRedisStore({ logger: silentLogger })).toThrow(/REDIS_URL must be a redis/);
  } finally {
    if (saved === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = saved;
  }
});

test("a url with a bad port says so, and quotes no port that may be a password", () => {
  expect(() => new IoRedisStore({ url: "redis://127.0.0.1:99999", logger: silentLogger })).toThrow(
    /url is not a usable URL: a port above 65535 \(99999\)/,
  );
  let message = "";
  try {
    new IoRedisStore({ url: "redis://default:S3cret", logger: silentLogger });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/url is not a usable URL: a port that is not a number \(not shown/);
  // One note that the value is not shown, not two.
  expect(message.match(/not shown/g)).toHaveLength(1);
  expect(message).not.toContain("S3cret");
});

test("the store learns the server's clock when it connects (connect() waits for it): a write is then one script call", async () => {
  const p = prefix();
  const connected = new IoRedisStore({ url: server.url, logger: silentLogger });
  await connected.connect();
  expect(connected.client.status).toBe("ready");
  // A script this store has not run yet is sent whole: one round trip, not EVALSHA, NOSCRIPT,
  // EVAL; from then on by its SHA.
  const afterConnect = await monitored(() => connected.replace(rk(p, "b"), [userItem("b")], 600));
  expect(afterConnect.map((args) => args[0]!.toLowerCase())).toEqual(["eval"]);
  const again = await monitored(() => connected.replace(rk(p, "b"), [userItem("b")], 600));
  expect(again.map((args) => args[0]!.toLowerCase())).toEqual(["evalsha"]);
  await connected.close();

  // A caller's client that was connected before the store existed: the first write asks.
  const client = new Redis(server.url, failFastRedisOptions());
  await client.connect();
  const over = new IoRedisStore({ client, logger: silentLogger });
  const firstWrite = await monitored(() => over.replace(rk(p, "c"), [userItem("c")], 600));
  expect(firstWrite.map((args) => args[0]!.toLowerCase())).toEqual(["time", "eval"]);
  await over.close();
  client.disconnect();

  const down = new IoRedisStore({ url: "redis://127.0.0.1:1", logger: silentLogger });
  await expect(down.connect()).rejects.toThrow(/Redis/);
  await down.close();
});

test("a chain whose ancestor is gone reads the part after it, and says which key is missing", async () => {
  const p = prefix();
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const store = new IoRedisStore({
    client: raw,
    logger: { warn: (fields, message) => warnings.push({ fields, message }), error() {} },
  });
  await store.fork(null, [rk(p, "a")], [userItem("a0")], { ...opts, parentItems: [] });
  for (const [parent, child] of [
    ["a", "b"],
    ["b", "c"],
  ] as const) {
    const read = await store.readStored(rk(p, parent));
    await store.fork(rk(p, parent), [rk(p, child)], [userItem(`${child}0`)], {
      ...opts,
      parentItems: read.items,
      parentElements: read.elements,
    });
  }
  expect(parseChainLink((await rawAccess.elements(rk(p, "c")))[0])?.parent).toBe(rk(p, "b"));
  await raw.del(rk(p, "b"));
  expect(await store.read(rk(p, "c"))).toEqual([userItem("c0")]);
  expect(warnings.filter((warning) => "missing" in warning.fields)).toEqual([
    {
      fields: { store: "ioredis", key: rk(p, "c"), at: rk(p, "b"), missing: rk(p, "b") },
      message:
        "a key this history links to is gone (expired, evicted or deleted); read the part after it",
    },
  ]);
});

test("a refused link is logged once per read, with the key, the key it names and the reason; a turn over it logs nothing more", async () => {
  const p = prefix();
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const store = new IoRedisStore({
    client: raw,
    logger: { warn: (fields, message) => warnings.push({ fields, message }), error() {} },
  });
  const [a, b] = [rk(p, "a"), rk(p, "b", 999)];
  await raw.rpush(b, JSON.stringify(userItem("chat 999's secret")));
  await raw.expire(b, 1800);
  await raw.rpush(a, chainLinkElement({ take: 5, parent: b }), JSON.stringify(userItem("mine")));
  // The client's own warning (the test's raw client is not fail-fast) is not what this is about.
  const chainWarnings = () => warnings.filter((warning) => "at" in warning.fields);
  const read = await readStoredWindow(store, a, 50);
  expect(read.items).toEqual([userItem("mine")]);
  expect(chainWarnings()).toEqual([
    {
      fields: {
        store: "ioredis",
        key: a,
        at: a,
        parent: b,
        reason: "other-chat",
        why: "the link names another chat's key",
      },
      message: "a link in this history was refused and not followed; read the part after it",
    },
  ]);
  await store.fork(a, [rk(p, "c")], [userItem("next")], {
    ...opts,
    parentItems: read.items,
    parentElements: read.elements,
  });
  expect(chainWarnings()).toHaveLength(1);
  expect(await raw.ttl(b)).toBeLessThanOrEqual(1800);
});

test("a read or fork of a planted chain of 2,000 link-only keys looks at a few keys, not the chain", async () => {
  const p = prefix();
  const store = new IoRedisStore({ client: raw, logger: silentLogger });
  await raw.rpush(rk(p, "m0"), JSON.stringify(userItem("bottom")));
  const batch = raw.pipeline();
  for (let id = 1; id <= 2000; id++) {
    batch.rpush(rk(p, `m${id}`), chainLinkElement({ take: 1e9, parent: rk(p, `m${id - 1}`) }));
  }
  await batch.exec();
  // Keys the server looked up (hits and misses), read from INFO stats around each call.
  const lookups = async (call: () => Promise<unknown>) => {
    const count = async () => {
      const info = await raw.info("stats");
      const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)![1]);
      return field("keyspace_hits") + field("keyspace_misses");
    };
    const before = await count();
    await call();
    return (await count()) - before;
  };
  const read = await store.readStored(rk(p, "m2000"), 51);
  expect(read.items).toEqual([]);
  expect(read.gap).toMatchObject({ kind: "deep" });
  expect(await lookups(() => store.read(rk(p, "m2000"), 50))).toBeLessThan(50);
  expect(await lookups(() => store.read(rk(p, "m2000")))).toBeLessThan(50);
  expect(
    await lookups(() =>
      store.fork(rk(p, "m2000"), [rk(p, "reply")], [userItem("next")], {
        ...opts,
        parentItems: read.items,
        parentElements: read.elements,
      }),
    ),
  ).toBeLessThan(50);
  expect(await store.read(rk(p, "reply"))).toEqual([userItem("next")]);
});

test("a change in place on a reply key that links to its parent keeps the key's TTL", async () => {
  const p = prefix();
  const store = new IoRedisStore({ client: raw, logger: silentLogger });
  await store.fork(null, [rk(p, "a")], [userItem("a0"), userItem("a1")], {
    ...opts,
    parentItems: [],
  });
  const read = await store.readStored(rk(p, "a"));
  await store.fork(rk(p, "a"), [rk(p, "b")], [userItem("b0")], {
    maxItems: 50,
    ttlSeconds: 300,
    parentItems: read.items,
    parentElements: read.elements,
  });
  expect(await store.pop(rk(p, "b"))).toEqual(userItem("b0"));
  expect(await store.pop(rk(p, "b"))).toEqual(userItem("a1"));
  expect(await rawAccess.elements(rk(p, "b"))).toEqual([JSON.stringify(userItem("a0"))]);
  const ttl = await raw.ttl(rk(p, "b"));
  expect(ttl).toBeGreaterThan(290);
  expect(ttl).toBeLessThanOrEqual(300);
  expect(await store.read(rk(p, "a"))).toEqual([userItem("a0"), userItem("a1")]);
});
