import { ReplySession, silentLogger } from "@agents-memory/core";
import {
  expectEveryTurnKept,
  recordingLogger,
  replyTurns,
  startAtDistance,
  turnItems,
  until,
} from "@agents-memory/test-servers/testing";
import { afterAll, describe, expect, test } from "vitest";
import { IoRedisStore } from "../src";

// The store at a distance: a proxy delays each direction; every session option at its
// default. Cold: a new store (and connection) per turn. AM_DISTANCE_TURNS raises the turns
// (the issue asks for 50 at 70 ms; CI runs fewer).
const TURNS = Number(process.env.AM_DISTANCE_TURNS ?? 8);

const { redis, proxy, stop } = await startAtDistance();
const url = `redis://127.0.0.1:${proxy.port}`;
/** The independent reader: straight to Redis, no distance. */
const reader = new IoRedisStore({ url: redis.url, logger: silentLogger });

afterAll(async () => {
  await reader.close();
  await stop();
});

let chat = 0;

describe.each([20, 70])("IoRedisStore at %i ms each way", (delayMs) => {
  test.each(["warm", "cold"] as const)(
    `%s: ReplySession's defaults keep every turn (${TURNS} turns)`,
    async (mode) => {
      proxy.setDelay(delayMs);
      const warm = new IoRedisStore({ url, logger: silentLogger });
      const logger = recordingLogger();
      const chatId = ++chat;
      try {
        const records = await replyTurns({
          chatId,
          turns: TURNS,
          logger,
          stores:
            mode === "warm"
              ? { open: () => warm }
              : {
                  open: () => new IoRedisStore({ url, logger: silentLogger }),
                  release: (store) => (store as IoRedisStore).close(),
                },
        });
        await expectEveryTurnKept({ records, logger, reader, chatId });
      } finally {
        await warm.close();
      }
    },
    300_000,
  );
});

test("a write reported failed never lands later: one still on its way when the budget ran out is refused", async () => {
  proxy.setDelay(20);
  const store = new IoRedisStore({ url, logger: silentLogger });
  const chatId = ++chat;
  try {
    await replyTurns({ chatId, turns: 1, stores: { open: () => store } });
    const session = new ReplySession({
      store,
      chatId,
      replyToMessageId: 1001,
      persistTimeoutMs: 400,
      logger: silentLogger,
    });
    await session.load();
    // The write takes 800 ms to reach Redis; its budget is 400 ms.
    proxy.setDelay({ toServer: 800, toClient: 20 });
    await session.addItems(turnItems(1));
    const persisted = await session.persist(1002);
    expect(persisted.ok).toBe(false);
    // A read on the same connection is answered after the write was run: the write arrived,
    // and the server refused it.
    await store.read(`bot:1001:${chatId}`);
    expect(await reader.read(`bot:1002:${chatId}`)).toEqual([]);
  } finally {
    proxy.setDelay(0);
    await store.close();
  }
});

test("a connection that stopped answering is replaced: memory comes back within seconds, without a restart, and nothing sent on it lands", async () => {
  proxy.setDelay(5);
  const logger = recordingLogger();
  const store = new IoRedisStore({ url, logger });
  const chatId = ++chat;
  try {
    await store.connect();
    let parent = 1;
    let next = 2;
    const turn = async () => {
      const session = new ReplySession({
        store,
        chatId,
        replyToMessageId: parent,
        logger: silentLogger,
      });
      const readItems = await session.load();
      await session.addItems(turnItems(next));
      const persisted = await session.persist(next);
      return { readItems, id: next++, persisted };
    };
    const first = new ReplySession({ store, chatId, logger: silentLogger });
    await first.addItems(turnItems(0));
    expect((await first.persist(parent)).ok).toBe(true);
    const connections = proxy.stats().connections;

    proxy.silence(); // the open connection goes quiet: no FIN, no RST; new ones work
    const lost: number[] = [];
    const started = performance.now();
    for (;;) {
      const { readItems, id, persisted } = await turn();
      if (readItems > 0 && persisted.ok) {
        parent = id;
        break;
      }
      expect(persisted.outcome).not.toBe("stored");
      lost.push(id);
      expect(performance.now() - started).toBeLessThan(15_000);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the next user message
    }
    expect(lost.length).toBeGreaterThan(0);
    // Found by the first timed-out call and a PING: within a few command timeouts (1 s each).
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(proxy.stats().connections).toBe(connections + 1);
    expect(logger.warnings.map((line) => line.message)).toContainEqual(
      expect.stringMatching(/stopped answering.*connecting again/),
    );
    expect(await turn()).toMatchObject({ readItems: 4, persisted: { ok: true } });

    // The path comes back: what was held on the dropped connection reaches Redis now, late,
    // and is refused (the write fence); nothing is sent twice.
    proxy.heal();
    await until(async () => {
      if (proxy.openConnections > 1) throw new Error("the old connection is still draining");
    });
    for (const id of lost) expect(await reader.read(`bot:${id}:${chatId}`)).toEqual([]);
  } finally {
    proxy.heal();
    await store.close();
  }
}, 60_000);
