import { type MemoryLogger, ReplySession, replyKey } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { afterAll, describe, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * Key prefixes a user may pick. The store's `keyPrefix` is only checked to be a
 * string; the session's (`ReplySession` keyPrefix) allows letters, digits and _ . - : { }.
 * A three-turn conversation must read whole under each, on both layouts, with nothing warned.
 */

const server = await startRedisServer();
afterAll(() => server.stop());

async function threeTurns(store: IoRedisStore, keyPrefix: string, logger: MemoryLogger) {
  const chat = -1000 - Math.floor(Math.random() * 1e6);
  const outcomes: Array<string | undefined> = [];
  let replyTo: number | null = null;
  for (const id of [11, 12, 13]) {
    const session: ReplySession = new ReplySession({
      store,
      chatId: chat,
      replyToMessageId: replyTo,
      keyPrefix,
      logger,
    });
    await session.load();
    outcomes.push(session.readOutcome);
    await session.addItems([user(`q${id}`), answer(`a${id}`)]);
    expect((await session.persist([id])).ok).toBe(true);
    replyTo = id;
  }
  return { outcomes, items: await store.read(replyKey(13, chat, keyPrefix)) };
}

const STORE_PREFIXES = ["", "tenant:a:", "{t1}:", "app 1/", 'q"uote\\', "ключ🔑:", "bot:"];
const SESSION_PREFIXES = ["bot", "bot:v2", "{bot}", "a.b-c_d", "1:2"];

describe.each(["chain", "copy"] as const)("%s layout", (layout) => {
  test.each(STORE_PREFIXES)(
    "store keyPrefix %j: three turns read whole under every session prefix, nothing warned",
    async (storePrefix) => {
      const logger = recordingLogger();
      const store = new IoRedisStore({ url: server.url, keyPrefix: storePrefix, logger, layout });
      try {
        for (const sessionPrefix of SESSION_PREFIXES) {
          const { outcomes, items } = await threeTurns(store, sessionPrefix, logger);
          expect({ sessionPrefix, outcomes, count: items.length }).toEqual({
            sessionPrefix,
            outcomes: ["none", "whole", "whole"],
            count: 6,
          });
        }
        expect([...logger.warnings, ...logger.errors]).toEqual([]);
      } finally {
        await store.close();
      }
    },
  );
});
