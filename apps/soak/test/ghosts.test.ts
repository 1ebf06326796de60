import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Backend, startBackend } from "../src/backend";
import type { LogLine } from "../src/bot-process";
import { GhostCheck, OutcomeLog } from "../src/ghosts";
import type { Turn } from "../src/traffic";

const TTL_SECONDS = 3600;
let backend: Backend;
let client: Redis;

beforeAll(async () => {
  backend = await startBackend("redis");
  client = new Redis(backend.env.STORE_URL!);
});

afterAll(async () => {
  client?.disconnect();
  await backend?.stop();
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
/** Writes a turn's history as the bot does: a list with the TTL. */
const write = (seq: number) =>
  client.rpush(keyOf(seq), "{}").then(() => client.expire(keyOf(seq), TTL_SECONDS));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bot's answered line for a turn, as apps/bot/src/agent-callback.ts writes it. */
const answered = (seq: number, stored: boolean, time = Date.now()): LogLine => ({
  level: 30,
  time,
  chat_id: CHAT,
  message_id: 10 + seq,
  sent_message_ids: [100 + seq],
  keys: [keyOf(seq)],
  stored,
  msg: stored ? "answered" : "answered; history not stored",
});

/** A store line saying a write's outcome is unknown. */
const gaveUp = (seq: number, time = Date.now()): LogLine => ({
  level: 50,
  time,
  key: keyOf(seq),
  operation: "fork",
  outcome: "unknown",
  msg: "store call got no answer in time; the write may have been applied before its deadline, never after; the run goes on",
});

const check = (turns: Turn[], logs: LogLine[]) =>
  new GhostCheck(turns, new OutcomeLog(logs), (keys) => backend.writtenAt(keys, TTL_SECONDS));

test("the backend reads when a key was last written (as MONITOR saw it), and a missing key as undefined", async () => {
  const before = Date.now();
  await write(90);
  const after = Date.now();
  await sleep(30);
  const [written, missing] = await backend.writtenAt([keyOf(90), "bot:nope:1"], TTL_SECONDS);
  expect(written).toBeGreaterThanOrEqual(before);
  expect(written).toBeLessThanOrEqual(after);
  expect(missing).toBeUndefined();
});

// The chained layout: a reply's fork raises its ancestors' TTLs. Read from the TTL, the raise
// looked like a write after the bot gave up (a false ghost); it is no write.
test("an unknown outcome that landed in time, whose TTL a later reply raised, is no ghost", async () => {
  const logs = [gaveUp(91, Date.now() + 100), answered(91, false, Date.now() + 110)];
  await write(91);
  await sleep(300);
  await client.pexpire(keyOf(91), TTL_SECONDS * 1000, "GT"); // the child's fork, 300 ms later
  const ghosts = check([turn(91)], logs);
  await ghosts.checkpoint("after the reply");
  expect(ghosts.report().ghosts).toEqual([]);
  expect(ghosts.report().unknownLandedInTime).toBe(1);
});

test("a turn logged as not stored whose key is in Redis is a ghost write; an absent key is none", async () => {
  await write(0);
  const ghosts = check([turn(0), turn(1)], [answered(0, false), answered(1, false)]);
  await ghosts.checkpoint("first");
  const report = ghosts.report();
  expect(report.ghosts.map((g) => [g.key, g.kind, g.foundAt])).toEqual([
    [keyOf(0), "logged as not stored", "first"],
  ]);
  expect(report.checkpoints).toEqual([{ name: "first", checked: 2, ghostsFound: 1 }]);
});

test("a write that lands after one checkpoint is caught by the next, and counted once", async () => {
  const ghosts = check([turn(2)], [answered(2, false)]);
  await ghosts.checkpoint("first");
  await write(2);
  await ghosts.checkpoint("second");
  await ghosts.checkpoint("third");
  expect(ghosts.report().ghosts.map((g) => g.foundAt)).toEqual(["second"]);
});

test("an unknown outcome whose write landed before the bot gave up is no ghost", async () => {
  await write(3);
  await sleep(20);
  const log = new OutcomeLog([gaveUp(3), answered(3, false)]);
  const ghosts = new GhostCheck([turn(3)], log, (keys) => backend.writtenAt(keys, TTL_SECONDS));
  await ghosts.checkpoint("only");
  expect(log.outcome(turn(3)).outcome).toBe("unknown");
  expect(ghosts.report().ghosts).toEqual([]);
  expect(ghosts.report().unknownLandedInTime).toBe(1);
});

test("an unknown outcome whose write landed after the bot gave up is a ghost", async () => {
  const logs = [gaveUp(4, Date.now() - 200), answered(4, false, Date.now() - 190)];
  await write(4);
  const ghosts = check([turn(4)], logs);
  await ghosts.checkpoint("after resume");
  expect(ghosts.report().ghosts.map((g) => g.kind)).toEqual(["written after the bot gave up"]);
  expect(ghosts.report().unknownLandedInTime).toBe(0);
});

test("stored turns: seen in Redis, emptied by a kill before any check, or missing (a lie)", async () => {
  const now = Date.now();
  const logs = [answered(5, true, now - 30), answered(6, true, now - 30)];
  await write(5);
  const ghosts = check([turn(5), turn(6), turn(7)], logs);
  ghosts.wiped(now - 20); // turn 6's key was written before the wipe: not a lie if it is gone
  logs.push(answered(7, true, now - 10)); // after the wipe: it must be there
  await ghosts.checkpoint("after the restart");
  const report = ghosts.report();
  expect(report.storedSeen).toBe(1);
  expect(report.storedUncheckedBeforeKill).toBe(1);
  expect(report.storedMissing.map((t) => t.tag)).toEqual(["t7"]);
});

test("a checkpoint that cannot read Redis fails after its retry budget, naming the check", async () => {
  const ghosts = new GhostCheck([turn(8)], new OutcomeLog([answered(8, false)]), async () => {
    throw new Error("ECONNREFUSED");
  });
  await expect(ghosts.checkpoint("down", 300)).rejects.toThrow(/check "down" could not read Redis/);
});
