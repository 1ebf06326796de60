import { type ReadOutcome, ReadOutcomeCounter, ReplySession } from "@agents-memory/core";
import { assistantItem, userItem } from "@agents-memory/core/testing";
import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { failFastRedisOptions, IoRedisStore } from "../src";

/*
 * Losses made visible (issue 22, section 3): under maxmemory with an LRU policy Redis evicts
 * reply keys. A reply to the bot's message younger than the TTL whose key was evicted must be
 * reported (a warning with the key and the message's age) and counted as `missing`; one whose
 * ancestor was evicted as `truncated`. Each conversation's expected outcome comes from what
 * Redis holds (TYPE does not touch a key's LRU clock), not from the store under test.
 */

const CHAT = 5150;
const CONVERSATIONS = 24;

describe.each(["allkeys-lru", "volatile-lru"])("maxmemory with %s", (policy) => {
  let server: RedisServer;
  let raw: Redis;
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  test("a reply whose key was evicted is reported and counted as missing, one whose ancestor was as truncated", async () => {
    server = await startRedisServer({
      args: ["--maxmemory", "6mb", "--maxmemory-policy", policy, "--maxmemory-samples", "10"],
    });
    raw = new Redis(server.url);
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>, message: string) =>
        warnings.push({ fields, message }),
      error() {},
    };
    const client = new Redis(server.url, failFastRedisOptions({ commandTimeoutMs: 5_000 }));
    const store = new IoRedisStore({ client, logger });
    const options = { store, chatId: CHAT, ttlSeconds: 3600, timeoutMs: 5_000, logger };
    try {
      // Each conversation: a first answer (message 1000 + 10c) and a reply to it (+1), which
      // links to the first on the chained layout.
      for (let c = 0; c < CONVERSATIONS; c++) {
        const first = new ReplySession({ ...options, replyToMessageId: null });
        await first.addItems([userItem(`q${c}`), assistantItem(`a${c} ${"x".repeat(2000)}`)]);
        await first.persist(1000 + 10 * c);
        const second = new ReplySession({ ...options, replyToMessageId: 1000 + 10 * c });
        await second.addItems([userItem(`q${c}'`), assistantItem(`a${c}'`)]);
        await second.persist(1001 + 10 * c);
      }
      const key = (id: number) => `bot:${id}:${CHAT}`;
      // Fill memory until some of those keys are evicted (filler with a TTL, for volatile-lru).
      const gone = async () => {
        let count = 0;
        for (let c = 0; c < CONVERSATIONS; c++) {
          for (const id of [1000 + 10 * c, 1001 + 10 * c]) {
            if ((await raw.type(key(id))) === "none") count++;
          }
        }
        return count;
      };
      for (let i = 0; (await gone()) < CONVERSATIONS / 2 && i < 2_000; i++) {
        await raw.set(`filler:${i}`, "f".repeat(32 * 1024), "EX", 3600);
      }
      const expected: ReadOutcome[] = [];
      for (let c = 0; c < CONVERSATIONS; c++) {
        const [reply, parent] = [
          await raw.type(key(1001 + 10 * c)),
          await raw.type(key(1000 + 10 * c)),
        ];
        expected.push(reply === "none" ? "missing" : parent === "none" ? "truncated" : "whole");
      }
      expect(expected).toContain("missing");

      // The user replies to each conversation's latest answer, sent a minute ago.
      const counter = new ReadOutcomeCounter();
      const outcomes: ReadOutcome[] = [];
      const sentAt = Math.floor(Date.now() / 1000) - 60;
      for (let c = 0; c < CONVERSATIONS; c++) {
        const session = new ReplySession({
          ...options,
          replyToMessageId: 1001 + 10 * c,
          replyToMessageDate: sentAt,
        });
        await session.load();
        outcomes.push(session.readOutcome!);
        counter.add(session.readOutcome);
      }
      expect(outcomes).toEqual(expected);
      const missing = expected.filter((outcome) => outcome === "missing").length;
      expect(counter.counts).toMatchObject({
        missing,
        truncated: expected.filter((outcome) => outcome === "truncated").length,
        whole: expected.filter((outcome) => outcome === "whole").length,
      });
      const lost = warnings.filter((w) => /younger than the TTL/.test(w.message));
      expect(lost).toHaveLength(missing);
      for (const warning of lost) {
        expect(warning.fields).toMatchObject({
          key: expect.stringMatching(/^bot:\d+:5150$/),
          ttlSeconds: 3600,
        });
        expect(warning.fields.ageSeconds).toBeGreaterThanOrEqual(60);
        expect(warning.fields.ageSeconds).toBeLessThan(3600);
      }

      // The same reply to a message older than the TTL is an expired history, not a loss.
      const old = new ReplySession({
        ...options,
        replyToMessageId: 1001 + 10 * expected.indexOf("missing"),
        replyToMessageDate: new Date(Date.now() - 2 * 3600 * 1000),
      });
      await old.load();
      expect(old.readOutcome).toBe("whole");
      expect(warnings.filter((w) => /younger than the TTL/.test(w.message))).toHaveLength(missing);
    } finally {
      await store.close();
      client.disconnect();
    }
  }, 60_000);
});
