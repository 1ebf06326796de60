import { type MemoryLogger, MemoryStore, ReplySession, StoreSession } from "@agents-memory/core";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * Red team: a misspelt option. What a user does: writes `ttl: 3600` (for `ttlSeconds`),
 * `maxitems`, or `keyprefix` (for `keyPrefix`), e.g. from a plain-JS config object, where
 * TypeScript does not catch it. Expected ("unknown config gets a clear, logged outcome"): a
 * TypeError naming the option, or at least a warning. What happens: silently ignored, so the
 * history never expires (StoreSession's default is no TTL), is never trimmed, or two
 * deployments meant to be apart share keys. Minor: the constructors check the options they
 * know (packages/core/src/sessions/store-session.ts, session-options.ts,
 * redis/store-options.ts) but not the names they are given.
 */

const CASES: Array<[string, (logger: MemoryLogger) => unknown]> = [
  [
    "StoreSession { ttl }",
    (logger) =>
      new StoreSession({ store: new MemoryStore(), sessionId: "s", ttl: 3600, logger } as never),
  ],
  [
    "StoreSession { maxitems }",
    (logger) =>
      new StoreSession({ store: new MemoryStore(), sessionId: "s", maxitems: 20, logger } as never),
  ],
  [
    "ReplySession { ttl }",
    (logger) =>
      new ReplySession({
        store: new MemoryStore(),
        chatId: 1,
        replyToMessageId: null,
        ttl: 3600,
        logger,
      } as never),
  ],
  [
    "IoRedisStore { keyprefix }",
    (logger) =>
      new IoRedisStore({ url: "redis://127.0.0.1:1", keyprefix: "tenant-a:", logger } as never),
  ],
];

test.fails.each(CASES)("%s: a misspelt option is refused or warned about", async (_name, make) => {
  const logger = recordingLogger();
  let refused = false;
  let made: unknown;
  try {
    made = make(logger);
  } catch (error) {
    refused = error instanceof TypeError;
  }
  await (made as { close?: () => Promise<void> } | undefined)?.close?.();
  expect(refused || [...logger.warnings, ...logger.errors].length > 0).toBe(true);
});
