import { ReplySession, silentLogger } from "@agents-memory/core";
import { assistantItem, rk, userItem } from "@agents-memory/core/testing";
import type { AgentInputItem } from "@openai/agents";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { flavors, prefix, startBackend } from "./__fixtures__/setup";

// Round trips are what Upstash bills and what a serverless user waits for: counted at the
// local server, per HTTP request.
const backend = await startBackend();
const { upstash, direct } = backend;
afterAll(() => backend.stop());

beforeEach(async () => {
  await direct.script("FLUSH"); // every test starts with no script cached in Redis
  upstash.requests.reset();
});

const opts = { maxItems: 50, ttlSeconds: 600 };
const counted = () => {
  // Every request is a single command on POST / (never an auto-pipelined /pipeline batch).
  expect(upstash.requests.log.filter((entry) => entry.path !== "/")).toEqual([]);
  const snapshot = { requests: upstash.requests.count, commands: upstash.requests.byCommand() };
  upstash.requests.reset();
  return snapshot;
};

describe.each(flavors)("$name", (flavor) => {
  test("each operation is one HTTP request once its script is loaded and the clock known (two the first time)", async () => {
    const p = prefix("count");
    const store = flavor.make(upstash);
    const items = [userItem("u1"), assistantItem("a1")];

    // The store's first write learns the server's clock (TIME, for the write fence). A script
    // the store has not run yet is sent whole (EVAL): not EVALSHA, NOSCRIPT, EVAL.
    await store.replace(rk(p, "k"), items, 600);
    expect(counted()).toEqual({ requests: 2, commands: { time: 1, eval: 1 } });
    await store.replace(rk(p, "k"), items, 600);
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });

    // Load the other scripts, then count each operation alone.
    const parent = await store.read(rk(p, "k"));
    await store.append(rk(p, "k"), [userItem("x")], opts);
    await store.fork(rk(p, "k"), [rk(p, "c0")], [userItem("n")], { ...opts, parentItems: [] });
    await store.fork(rk(p, "k"), [rk(p, "c0")], [userItem("n")], {
      ...opts,
      parentItems: await store.read(rk(p, "k")),
    });
    await store.pop(rk(p, "c0"));
    upstash.requests.reset();

    // A read is one call of the chained layout's read script (it walks the chain in Redis).
    await store.read(rk(p, "k"));
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    await store.read(rk(p, "k"), 1);
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    await store.append(rk(p, "k"), [userItem("u2")], opts);
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    const read = await store.read(rk(p, "k"));
    upstash.requests.reset();
    await store.fork(rk(p, "k"), [rk(p, "c1"), rk(p, "c2")], [userItem("n")], {
      ...opts,
      parentItems: read,
    });
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    expect(await store.read(rk(p, "c2"))).toEqual([...read, userItem("n")]);
    upstash.requests.reset();
    await store.fork(null, [rk(p, "c3")], [userItem("first")], { ...opts, parentItems: [] });
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    await store.pop(rk(p, "k"));
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    await store.clear(rk(p, "k"));
    expect(counted()).toEqual({ requests: 1, commands: { eval: 1 } });
    await store.clear(rk(p, "k"));
    expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
    await store.read(rk(p, "k"), 0);
    expect(counted()).toEqual({ requests: 0, commands: {} });
    expect(parent).toEqual(items);

    // connect() learns the clock ahead: a fresh store's first write is then one request.
    const connected = flavor.make(upstash);
    await connected.connect();
    expect(counted()).toEqual({ requests: 1, commands: { time: 1 } });
    await connected.replace(rk(p, "k"), items, 600);
    expect(counted()).toEqual({ requests: 1, commands: { eval: 1 } });

    // A fresh store's first read learns the clock alongside (a turn reads, then writes): the
    // write after it is one request.
    const reading = flavor.make(upstash);
    await reading.read(rk(p, "k"));
    expect(counted()).toEqual({ requests: 2, commands: { time: 1, eval: 1 } });
    await reading.replace(rk(p, "k"), items, 600);
    expect(counted()).toEqual({ requests: 1, commands: { eval: 1 } });

    // A server that lost its scripts (restart, SCRIPT FLUSH): NOSCRIPT, then the script whole.
    await direct.script("FLUSH");
    await reading.replace(rk(p, "k"), items, 600);
    expect(counted()).toEqual({ requests: 2, commands: { evalsha: 1, eval: 1 } });

    // On the copy layout a read is a plain LRANGE: no script, even on a fresh database (a
    // fresh store learns the clock alongside, as above).
    await direct.script("FLUSH");
    const copy = flavor.make(upstash, { layout: "copy" });
    await copy.read(rk(p, "k"));
    expect(counted()).toEqual({ requests: 2, commands: { lrange: 1, time: 1 } });
    await copy.read(rk(p, "k"));
    expect(counted()).toEqual({ requests: 1, commands: { lrange: 1 } });
  });

  test("read-your-writes: every request carries the sync token of the response before it", async () => {
    const p = prefix("ryw");
    const store = flavor.make(upstash);
    await store.replace(rk(p, "k"), [userItem("written")], 600);
    await store.read(rk(p, "k"));
    await store.append(rk(p, "k"), [userItem("more")], opts);
    await store.read(rk(p, "k"));
    const log = upstash.requests.log;
    expect(log.length).toBeGreaterThanOrEqual(4);
    for (let index = 1; index < log.length; index++) {
      expect(log[index]!.syncToken, `request ${index}`).toBe(log[index - 1]!.answeredSyncToken);
    }
  });

  test("a fork whose parent changed since it was read costs a second request with the full history", async () => {
    const p = prefix("fallback");
    const store = flavor.make(upstash);
    await store.replace(rk(p, "parent"), [userItem("h0"), userItem("h1")], 600);
    const read = await store.read(rk(p, "parent"));
    await store.append(rk(p, "parent"), [userItem("late")], opts);
    await store.fork(rk(p, "parent"), [rk(p, "warm")], [userItem("n")], {
      ...opts,
      parentItems: read,
    });
    upstash.requests.reset();

    await store.fork(rk(p, "parent"), [rk(p, "child")], [userItem("n")], {
      ...opts,
      parentItems: read,
    });
    expect(counted()).toEqual({ requests: 2, commands: { evalsha: 2 } });
    expect(await store.read(rk(p, "child"))).toEqual([...read, userItem("n")]);
  });

  test("a fork sends the new items, not the history: the parent is shared server-side", async () => {
    const p = prefix("bytes");
    const store = flavor.make(upstash);
    const history: AgentInputItem[] = Array.from({ length: 40 }, (_, i) =>
      assistantItem(`${i}: ${"long answer ".repeat(80)}`),
    );
    await store.replace(rk(p, "parent"), history, 600);
    const read = await store.read(rk(p, "parent"));
    // Warm both scripts so the counts below are one request each.
    await store.fork(rk(p, "parent"), [rk(p, "warm")], [userItem("n")], {
      ...opts,
      parentItems: read,
    });
    await store.fork(null, [rk(p, "warm")], [userItem("n")], { ...opts, parentItems: read });
    upstash.requests.reset();

    const turn = [userItem("question?"), assistantItem("answer.")];
    await store.fork(rk(p, "parent"), [rk(p, "copy")], turn, { ...opts, parentItems: read });
    const copyBytes = upstash.bytesIn;
    upstash.requests.reset();
    await store.fork(null, [rk(p, "full")], turn, { ...opts, parentItems: read });
    const fullBytes = upstash.bytesIn;

    expect(await store.read(rk(p, "copy"))).toEqual(await store.read(rk(p, "full")));
    const historyBytes = JSON.stringify(history).length;
    expect(fullBytes).toBeGreaterThan(historyBytes);
    expect(copyBytes).toBeLessThan(1024);
  });
});

test("a ReplySession turn costs one request to read and one to persist", async () => {
  const store = flavors[0]!.make(upstash);
  const chatId = 4242;
  const first = new ReplySession({ store, chatId, replyToMessageId: null, logger: silentLogger });
  await first.addItems([userItem("hi"), assistantItem("hello")]);
  await first.persist([10]);
  const warm = new ReplySession({ store, chatId, replyToMessageId: 10, logger: silentLogger });
  await warm.getItems();
  await warm.addItems([userItem("warm")]);
  await warm.persist([11]);
  upstash.requests.reset();

  const turn = new ReplySession({ store, chatId, replyToMessageId: 10, logger: silentLogger });
  expect(await turn.getItems()).toEqual([userItem("hi"), assistantItem("hello")]);
  expect(counted().requests).toBe(1);
  await turn.addItems([userItem("again"), assistantItem("yes")]);
  expect(await turn.persist([12, 13])).toMatchObject({ ok: true, itemCount: 4 });
  expect(counted()).toEqual({ requests: 1, commands: { evalsha: 1 } });
  // The chained layout: a link to bot:10:4242 and this turn's two items.
  expect(await direct.lrange("bot:13:4242", 0, -1)).toHaveLength(3);
});
