import { ReplySession, type SessionStore, silentLogger } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import {
  expectEveryTurnKept,
  recordingLogger,
  replyTurns,
  startAtDistance,
  turnItems,
  until,
} from "@agents-memory/test-servers/testing";
import { trustedCertificate } from "@agents-memory/test-servers/tls";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { afterAll, describe, expect, test } from "vitest";
import { UpstashStore } from "../src";

// The store at a distance: HTTPS (as Upstash is) through a proxy that delays each direction,
// every session option at its default. Cold: a new store and client per turn, and no pooled
// connection left (as in a new process), so each turn pays TCP and TLS again.
// AM_DISTANCE_TURNS raises the turns (the issue asks for 50 at 70 ms; CI runs fewer).
const TURNS = Number(process.env.AM_DISTANCE_TURNS ?? 8);

const {
  redis,
  front: upstash,
  proxy,
  stop,
} = await startAtDistance((server) =>
  startUpstashServer({ redisPort: server.port, tls: trustedCertificate() }),
);
const url = `https://127.0.0.1:${proxy.port}`;
/** The independent reader: straight to Redis, no distance. */
const reader = new IoRedisStore({ url: redis.url, logger: silentLogger });

afterAll(async () => {
  await reader.close();
  await stop();
});

const newStore = () => new UpstashStore({ url, token: upstash.token, logger: silentLogger });
let chat = 0;

async function coldRelease(store: SessionStore): Promise<void> {
  await store.close?.();
  proxy.dropConnections();
  await new Promise((resolve) => setTimeout(resolve, 20)); // the client sees the resets
}

describe.each([20, 70])("UpstashStore over HTTPS at %i ms each way", (delayMs) => {
  test.each(["warm", "cold"] as const)(
    `%s: ReplySession's defaults keep every turn (${TURNS} turns)`,
    async (mode) => {
      proxy.setDelay(delayMs);
      proxy.dropConnections();
      const warm = newStore();
      const logger = recordingLogger();
      const chatId = ++chat;
      const records = await replyTurns({
        chatId,
        turns: TURNS,
        logger,
        stores: mode === "warm" ? { open: () => warm } : { open: newStore, release: coldRelease },
      });
      await expectEveryTurnKept({ records, logger, reader, chatId });
    },
    300_000,
  );
});

test("a write reported failed never lands later: one still on its way when the budget ran out is refused", async () => {
  proxy.setDelay(20);
  const store = newStore();
  const chatId = ++chat;
  await replyTurns({ chatId, turns: 1, stores: { open: () => store } });
  // The next request takes 800 ms to reach the server; the write's budget is 400 ms.
  proxy.setDelay({ toServer: 800, toClient: 20 });
  const session = new ReplySession({
    store,
    chatId,
    replyToMessageId: 1001,
    persistTimeoutMs: 400,
    logger: silentLogger,
  });
  await session.load();
  upstash.requests.reset();
  await session.addItems(turnItems(1));
  const persisted = await session.persist(1002);
  expect(persisted.ok).toBe(false);
  // The request arrived after all, and the server refused it (the write fence).
  const arrived = await until(async () => {
    const entry = upstash.requests.log.find((request) => request.commands[0]?.startsWith("eval"));
    if (!entry || entry.status === 0) throw new Error("not yet");
    return entry;
  });
  expect(arrived.status).toBe(400);
  expect(await reader.read(`bot:1002:${chatId}`)).toEqual([]);
});

test("a pooled connection that stopped answering costs one timed-out call: the next one connects again", async () => {
  proxy.setDelay(5);
  const store = new UpstashStore({
    url,
    token: upstash.token,
    logger: silentLogger,
    timeoutMs: 500,
  });
  const chatId = ++chat;
  await replyTurns({ chatId, turns: 1, stores: { open: () => store } });
  const connections = proxy.stats().connections;
  proxy.silence(); // the keep-alive sockets go quiet: no FIN, no RST; new connections work
  try {
    const failures: unknown[] = [];
    for (;;) {
      const read = await store.read(`bot:1001:${chatId}`).then(
        (items) => ({ items }),
        (error: unknown) => ({ error }),
      );
      if ("items" in read) {
        expect(read.items).toEqual(turnItems(0));
        break;
      }
      failures.push(read.error);
      expect(failures.length).toBeLessThanOrEqual(3);
    }
    // An aborted request takes its socket with it (undici destroys it), so each silent pooled
    // socket costs at most one call; the store needs nothing more.
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(proxy.stats().connections).toBeGreaterThan(connections);
  } finally {
    proxy.heal();
  }
});
