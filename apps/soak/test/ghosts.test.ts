import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { LogLine } from "../src/bot-process";
import { GhostCheck, OutcomeLog } from "../src/ghosts";
import type { Turn } from "../src/traffic";

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.port, "127.0.0.1");
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

const CHAT = 70_000;
const turn = (seq: number): Turn => ({
  chatId: CHAT,
  seq,
  tag: `t${seq}`,
  messageId: 10 + seq,
  sentAt: 0,
  phase: "paused",
});
const keyOf = (seq: number) => `bot:${100 + seq}:${CHAT}`;

/** The bot's answered line for a turn, as apps/bot/src/agent-callback.ts writes it. */
const answered = (seq: number, stored: boolean, time: number): LogLine => ({
  level: 30,
  time,
  chat_id: CHAT,
  message_id: 10 + seq,
  sent_message_ids: [100 + seq],
  keys: [keyOf(seq)],
  stored,
  msg: stored ? "answered" : "answered; history not stored",
});

const exists = async (keys: string[]) =>
  Promise.all(keys.map(async (key) => (await client.exists(key)) === 1));

test("a turn logged as not stored whose key is in Redis is a ghost write; an absent key is none", async () => {
  const turns = [turn(0), turn(1)];
  const logs = [answered(0, false, Date.now() - 10), answered(1, false, Date.now() - 10)];
  await client.set(keyOf(0), "landed anyway");
  const check = new GhostCheck(turns, new OutcomeLog(logs), exists);
  await check.checkpoint("first");
  const report = check.report();
  expect(report.ghosts.map((g) => [g.key, g.foundAt])).toEqual([[keyOf(0), "first"]]);
  expect(report.checkpoints).toEqual([{ name: "first", notStoredChecked: 2, ghostsFound: 1 }]);
});

test("a write that lands after one checkpoint is caught by the next, and counted once", async () => {
  const turns = [turn(2)];
  const check = new GhostCheck(
    turns,
    new OutcomeLog([answered(2, false, Date.now() - 10)]),
    exists,
  );
  await check.checkpoint("first");
  await client.set(keyOf(2), "late");
  await check.checkpoint("second");
  await check.checkpoint("third");
  expect(check.report().ghosts.map((g) => g.foundAt)).toEqual(["second"]);
});

test("a turn whose outcome the bot called unknown ('may still land') is no ghost", async () => {
  const turns = [turn(3)];
  const logs: LogLine[] = [
    {
      level: 50,
      time: Date.now() - 20,
      key: keyOf(3),
      msg: "store call timed out; the write may still land",
    },
    answered(3, false, Date.now() - 10),
  ];
  await client.set(keyOf(3), "landed");
  const log = new OutcomeLog(logs);
  const check = new GhostCheck(turns, log, exists);
  await check.checkpoint("only");
  expect(log.outcome(turns[0]!).outcome).toBe("unknown");
  expect(check.report().ghosts).toEqual([]);
});

test("stored turns: seen in Redis, emptied by a kill before any check, or missing (a lie)", async () => {
  const turns = [turn(4), turn(5), turn(6)];
  const now = Date.now();
  const logs = [answered(4, true, now - 30), answered(5, true, now - 30)];
  await client.set(keyOf(4), "kept");
  const check = new GhostCheck(turns, new OutcomeLog(logs), exists);
  check.wiped(now - 20); // turn 5's key was written before the wipe: not a lie if it is gone
  logs.push(answered(6, true, now - 10)); // after the wipe: it must be there
  await check.checkpoint("after the restart");
  const report = check.report();
  expect(report.storedSeen).toBe(1);
  expect(report.storedUncheckedBeforeKill).toBe(1);
  expect(report.storedMissing.map((t) => t.tag)).toEqual(["t6"]);
});

test("a checkpoint that cannot read Redis fails after its retry budget, naming the check", async () => {
  const check = new GhostCheck(
    [turn(7)],
    new OutcomeLog([answered(7, false, Date.now() - 10)]),
    async () => {
      throw new Error("ECONNREFUSED");
    },
  );
  await expect(check.checkpoint("down", 300)).rejects.toThrow(/check "down" could not read Redis/);
});
