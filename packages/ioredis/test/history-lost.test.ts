import { ReplySession, StoreSession } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { recordingLogger, until } from "@agents-memory/test-servers/testing";
import { afterAll, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * Redis restarted without persistence mid-conversation (a container restart, a
 * failover to an empty replica): every history is gone, and each session that had one says so.
 */

const server = await startRedisServer();
afterAll(() => server.stop());

test("ReplySession given the message's date reports the lost history as missing", async () => {
  const logger = recordingLogger();
  const store = new IoRedisStore({ url: server.url, logger });
  try {
    const chat = -4242;
    const first = new ReplySession({ store, chatId: chat, replyToMessageId: null, logger });
    await first.addItems([user("I am Ann"), answer("hi Ann")]);
    expect((await first.persist([7])).ok).toBe(true);
    await server.restart();
    await until(() => store.read("probe"));
    logger.warnings.length = 0;
    logger.errors.length = 0;
    const reply = new ReplySession({
      store,
      chatId: chat,
      replyToMessageId: 7,
      replyToMessageDate: Math.floor(Date.now() / 1000) - 5,
      logger,
    });
    expect(await reply.load()).toBe(0);
    expect(reply.readOutcome).toBe("missing");
    expect(logger.warnings.map((line) => line.message).join("\n")).toMatch(/younger than the TTL/);
  } finally {
    await store.close();
  }
});

/*
 * What a user does: a long-lived StoreSession (the SDK's MemorySession made durable) keeps a
 * conversation; Redis restarts empty between two turns, in the same process.
 * Expected: the lost history is reported (the session itself wrote it a moment ago: it
 * knows the history cannot be empty), as ReplySession reports "missing".
 * What happens: getItems() returns [] and nothing is logged: the conversation silently starts
 * over. (StoreSession has no read outcome at all: packages/core/src/sessions/store-session.ts
 * getItems.) Medium sure this is a bug rather than a gap in the design.
 */
test("StoreSession that wrote the history itself reports it lost after the restart", async () => {
  const logger = recordingLogger();
  const store = new IoRedisStore({ url: server.url, logger });
  try {
    const session = new StoreSession({ store, sessionId: `restart-${Math.random()}`, logger });
    await session.addItems([user("I am Ann"), answer("hi Ann")]);
    expect(await session.getItems()).toHaveLength(2);
    await server.restart();
    await until(() => store.read("probe"));
    logger.warnings.length = 0;
    logger.errors.length = 0;
    expect(await session.getItems()).toEqual([]);
    expect(logger.warnings.map((line) => line.message)).toEqual([
      expect.stringMatching(/the history this session stored is gone before its TTL/),
    ]);
    // Said once: the conversation that starts over is no new loss.
    await session.getItems();
    expect(logger.warnings).toHaveLength(1);
  } finally {
    await store.close();
  }
});
