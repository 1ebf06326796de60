import {
  type MemoryLogger,
  type ReadOutcome,
  ReadOutcomeCounter,
  type ReadOutcomeCounts,
  ReplySession,
  type SessionStore,
} from "@agents-memory/core";
import type { Redis } from "ioredis";
import { expect } from "vitest";
import type { RedisServer } from "../redis";
import { type RecordingLogger, recordingLogger } from "./recording-logger";
import { startRedisWithReader } from "./redis-reader";

/** What {@link evictionScenario} saw. */
export interface EvictionResult {
  /** Each conversation's outcome, from what Redis holds (TYPE does not touch the LRU clock). */
  expected: ReadOutcome[];
  /** Each conversation's `ReplySession.readOutcome` when its latest answer is replied to. */
  outcomes: ReadOutcome[];
  /** The same outcomes, counted. */
  counts: ReadOutcomeCounts;
  /** The "lost history" warnings logged, with their fields. */
  lost: Record<string, unknown>[];
  /** A reply to a message older than the TTL whose key is gone: its outcome. */
  expiredOutcome: ReadOutcome | undefined;
}

/** The store {@link evictionScenario} plays through, and how to let go of it. */
export interface EvictionStore {
  store: SessionStore;
  /** Closes the store and stops whatever `open` started for it. */
  close(): Promise<void>;
}

/**
 * Starts a redis-server with 6 MB of `maxmemory` and the eviction `policy` ("allkeys-lru",
 * "volatile-lru"…), and builds the store under test over it with `open(server, logger)` (the
 * logger records the warnings the result reports). Reply-chain conversations are played
 * through the store, then memory is filled through a plain client straight to the server until
 * half as many keys as conversations were evicted, and eviction is switched off (so nothing
 * changes under the reads); then each conversation's latest answer, sent a minute ago, is
 * replied to. Closes the store and stops the server before it resolves, even on a failure.
 */
export async function evictionScenario(options: {
  policy: string;
  open(server: RedisServer, logger: MemoryLogger): EvictionStore | Promise<EvictionStore>;
  chatId: number;
  conversations?: number;
}): Promise<EvictionResult> {
  const { server, raw, stop } = await startRedisWithReader({
    args: ["--maxmemory", "6mb", "--maxmemory-policy", options.policy, "--maxmemory-samples", "10"],
  });
  const logger = recordingLogger();
  try {
    const { store, close } = await options.open(server, logger);
    try {
      return await play({ ...options, store, direct: raw, logger });
    } finally {
      await close();
    }
  } finally {
    await stop();
  }
}

/** The scenario of {@link evictionScenario}, on a server and store already started. */
async function play(options: {
  store: SessionStore;
  direct: Redis;
  logger: RecordingLogger;
  chatId: number;
  conversations?: number;
}): Promise<EvictionResult> {
  const { store, direct, logger, chatId } = options;
  const conversations = options.conversations ?? 24;
  const session = { store, chatId, ttlSeconds: 3600, timeoutMs: 5_000, logger };
  const key = (id: number) => `bot:${id}:${chatId}`;
  for (let c = 0; c < conversations; c++) {
    const first = new ReplySession({ ...session, replyToMessageId: null });
    await first.addItems([
      { role: "user", content: `q${c}` },
      {
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: `a${c} ${"x".repeat(2000)}` }],
      },
    ]);
    await first.persist(1000 + 10 * c);
    const second = new ReplySession({ ...session, replyToMessageId: 1000 + 10 * c });
    await second.addItems([{ role: "user", content: `q${c}'` }]);
    await second.persist(1001 + 10 * c);
  }
  const gone = async () => {
    let count = 0;
    for (let c = 0; c < conversations; c++) {
      for (const id of [1000 + 10 * c, 1001 + 10 * c]) {
        if ((await direct.type(key(id))) === "none") count++;
      }
    }
    return count;
  };
  // Filler with a TTL, so that volatile-* policies may evict it too.
  for (let i = 0; (await gone()) < conversations / 2 && i < 2_000; i++) {
    await direct.set(`filler:${i}`, "f".repeat(32 * 1024), "EX", 3600);
  }
  // No eviction from here on: the reads below must see what the outcomes are computed from.
  await direct.config("SET", "maxmemory", "0");
  const expected: ReadOutcome[] = [];
  for (let c = 0; c < conversations; c++) {
    const reply = await direct.type(key(1001 + 10 * c));
    const parent = await direct.type(key(1000 + 10 * c));
    expected.push(reply === "none" ? "missing" : parent === "none" ? "truncated" : "whole");
  }
  const counter = new ReadOutcomeCounter();
  const outcomes: ReadOutcome[] = [];
  const sentAt = Math.floor(Date.now() / 1000) - 60;
  for (let c = 0; c < conversations; c++) {
    const reply = new ReplySession({
      ...session,
      replyToMessageId: 1001 + 10 * c,
      replyToMessageDate: sentAt,
    });
    await reply.load();
    outcomes.push(reply.readOutcome!);
    counter.add(reply.readOutcome);
  }
  const lost = logger.warnings
    .filter((w) => /younger than the TTL/.test(w.message))
    .map((w) => w.fields);
  let expiredOutcome: ReadOutcome | undefined;
  const missingAt = expected.indexOf("missing");
  if (missingAt >= 0) {
    const old = new ReplySession({
      ...session,
      replyToMessageId: 1001 + 10 * missingAt,
      replyToMessageDate: new Date(Date.now() - 2 * 3600 * 1000),
    });
    await old.load();
    expiredOutcome = old.readOutcome;
  }
  return { expected, outcomes, counts: counter.counts, lost, expiredOutcome };
}

/**
 * Asserts what a user must see after {@link evictionScenario}: some reply was evicted; each
 * outcome (and its count) is the one Redis's own keys say; each evicted reply younger than the
 * TTL gave one "lost history" warning with its key and age; and a reply to a message older than
 * the TTL reads as expired (`whole`), not lost.
 */
export function expectEvictionReported(result: EvictionResult, chatId: number): void {
  expect(result.expected).toContain("missing");
  expect(result.outcomes).toEqual(result.expected);
  const count = (outcome: ReadOutcome) => result.expected.filter((o) => o === outcome).length;
  expect(result.counts).toMatchObject({
    missing: count("missing"),
    truncated: count("truncated"),
    whole: count("whole"),
  });
  expect(result.lost).toHaveLength(count("missing"));
  for (const fields of result.lost) {
    expect(fields).toMatchObject({
      key: expect.stringMatching(new RegExp(`^bot:\\d+:${chatId}$`)),
      ttlSeconds: 3600,
    });
    expect(fields.ageSeconds).toBeGreaterThanOrEqual(60);
    expect(fields.ageSeconds).toBeLessThan(3600);
  }
  expect(result.expiredOutcome).toBe("whole");
}
