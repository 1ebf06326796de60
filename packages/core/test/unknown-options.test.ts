import { describe, expect, test } from "vitest";
import {
  type MemoryLogger,
  MemoryStore,
  ReplySession,
  type ReplySessionOptions,
  StoreSession,
  type StoreSessionOptions,
  silentLogger,
} from "../src";

/*
 * A misspelt option, as a plain-JS config object gives it (TypeScript does not see it), is
 * refused when the session or store is built, with the name meant: silently ignored, `ttl:
 * 3600` would leave the history without a TTL, growing forever.
 */

const store = () => new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
const storeSession = (extra: object) =>
  new StoreSession({ store: store(), sessionId: "s", ...extra } as StoreSessionOptions);
const replySession = (extra: object) =>
  new ReplySession({
    store: store(),
    chatId: 1,
    replyToMessageId: null,
    ...extra,
  } as ReplySessionOptions);

function thrownBy(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("a misspelt option is refused, naming the option meant", () => {
  test.each([
    [
      "StoreSession { ttl }",
      () => storeSession({ ttl: 3600 }),
      '[agents-memory] [StoreSession] unknown option "ttl" (did you mean "ttlSeconds"?)',
    ],
    [
      "StoreSession { maxitems }",
      () => storeSession({ maxitems: 20 }),
      '[agents-memory] [StoreSession] unknown option "maxitems" (did you mean "maxItems"?)',
    ],
    [
      "StoreSession { sesionId }",
      () => storeSession({ sesionId: "t" }),
      '[agents-memory] [StoreSession] unknown option "sesionId" (did you mean "sessionId"?)',
    ],
    [
      "ReplySession { ttl }",
      () => replySession({ ttl: 3600 }),
      '[agents-memory] [ReplySession] unknown option "ttl" (did you mean "ttlSeconds"?)',
    ],
    [
      "ReplySession { persistTimeout }",
      () => replySession({ persistTimeout: 5000 }),
      '[agents-memory] [ReplySession] unknown option "persistTimeout" (did you mean "persistTimeoutMs"?)',
    ],
    [
      "StoreSession { summary: { everyturns } }",
      () => storeSession({ maxItems: 10, summary: { model: "m", everyturns: 5 } }),
      '[agents-memory] unknown option "summary.everyturns" (did you mean "summary.everyTurns"?)',
    ],
    [
      "ReplySession { summary: { timeout } }",
      () => replySession({ summary: { model: "m", timeout: 5 } }),
      '[agents-memory] unknown option "summary.timeout" (did you mean "summary.timeoutMs"?)',
    ],
    [
      "MemoryStore { sweepInterval }",
      () => new MemoryStore({ sweepInterval: 0 } as never),
      '[agents-memory] [memory] unknown option "sweepInterval" (did you mean "sweepIntervalMs"?)',
    ],
  ])("%s", (_name, make, message) => {
    expect(thrownBy(make)).toEqual(new TypeError(message));
  });
});

test("every unknown option is named in one message; one far from any known name lists them", () => {
  expect(() => storeSession({ ttl: 60, maxitems: 5 })).toThrow(
    /^\[agents-memory\] \[StoreSession\] unknown options "ttl" \(did you mean "ttlSeconds"\?\), "maxitems" \(did you mean "maxItems"\?\)$/,
  );
  expect(() => storeSession({ expireAfter: 60 })).toThrow(
    /^\[agents-memory\] \[StoreSession\] unknown option "expireAfter"; the options are store, sessionId, key, keyPrefix, initialItems, maxItems, maxTokens, tokenCounter, summary, ttlSeconds, filter, failureMode, timeoutMs, logger, onStoreError$/,
  );
});

test("an unknown option given as undefined is refused too: a typo is a typo", () => {
  expect(() => storeSession({ ttl: undefined })).toThrow(/unknown option "ttl"/);
  expect(() => new MemoryStore({ logger: silentLogger, loger: undefined } as never)).toThrow(
    /unknown option "loger" \(did you mean "logger"\?\)/,
  );
});

test("every documented option is accepted, and an option given as undefined takes its default", async () => {
  const logger: MemoryLogger = silentLogger;
  const session = new StoreSession({
    store: store(),
    sessionId: "s",
    keyPrefix: "p:",
    initialItems: [],
    maxItems: 10,
    maxTokens: 1000,
    tokenCounter: () => 1,
    summary: { model: "m", everyTurns: 2, timeoutMs: 1000, onError: () => {} },
    ttlSeconds: 60,
    filter: {},
    failureMode: "degrade",
    timeoutMs: 500,
    logger,
    onStoreError: () => {},
    key: undefined,
  });
  expect(session.key).toBe("p:s");
  const reply = new ReplySession({
    store: store(),
    chatId: 1,
    replyToMessageId: 2,
    replyToMessageDate: null,
    keyPrefix: "bot",
    summary: { instructions: "sum up", runner: undefined },
    maxItems: 10,
    maxTokens: undefined,
    tokenCounter: undefined,
    ttlSeconds: 60,
    timeoutMs: 500,
    persistTimeoutMs: 500,
    filter: undefined,
    logger,
    onStoreError: undefined,
  });
  expect(reply.parentKey).toBe("bot:2:1");
  const memory = new MemoryStore({ now: Date.now, sweepIntervalMs: 0, logger });
  expect(await memory.read("k")).toEqual([]);
});
