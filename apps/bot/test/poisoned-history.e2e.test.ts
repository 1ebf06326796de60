import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { type RedisServer, startRedisServer } from "@agents-memory/test-servers/redis";
import {
  type Message,
  startTelegramServer,
  type TelegramServer,
} from "@agents-memory/test-servers/telegram";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { repliesTo, transcript, turns } from "./support/transcript";

/*
 * A poisoned branch never blocks a user (issue 15, part 3): stored elements that are not
 * items, a history item the model rejects, and reply ids no key can be built from all get an
 * answer, never the apology.
 */

const CHAT = -1003000000001;
const ERROR_TEXT = "Sorry, something went wrong while answering. Please try again later.";

let tg: TelegramServer;
let ai: ResponsesServer;
let redis: RedisServer;
let raw: Redis;
let bot: BotProcess;
const t = () => transcript(tg, ai, () => bot);
const key = (messageId: number) => `bot:${messageId}:${CHAT}`;

beforeAll(async () => {
  [tg, ai, redis] = await Promise.all([
    startTelegramServer(),
    startResponsesServer(),
    startRedisServer(),
  ]);
  raw = new Redis(redis.port, "127.0.0.1");
  bot = await startBot(tg, ai, { STORE_URL: redis.url });
});

afterAll(async () => {
  await bot?.stop();
  raw?.disconnect();
  await Promise.all([tg?.close(), ai?.close(), redis?.stop()]);
});

const stored = async (messageId: number) =>
  (await raw.lrange(key(messageId), 0, -1)).map((element) => JSON.parse(element));

describe("a poisoned branch", () => {
  test("stored elements that are not items are skipped and logged; the reply has the rest", async () => {
    const first = await t().turn(CHAT, "/a remember 42");
    await raw.rpush(
      key(first.answer.message_id),
      '{"foo":1}',
      '{"role":"wizard","content":"abracadabra"}',
      '{"role":"user","content":42}',
    );
    const reply = await t().turn(CHAT, "what did I say?", { replyTo: first.answer });
    expect(reply.answer.text).toBe("echo: Ann(ann): what did I say?");
    expect(turns(reply.requests[0])).toEqual([
      "user:Ann(ann): remember 42",
      "assistant:echo: Ann(ann): remember 42",
      "user:Ann(ann): what did I say?",
    ]);
    const skipped = await bot.waitForLog(
      (l) => l.msg === "skipped stored elements that are not valid items",
    );
    expect(skipped).toMatchObject({ key: key(first.answer.message_id), skipped: 3 });
    expect(skipped.reasons).toEqual([
      "neither a type nor a role",
      'message (role "wizard"): not a role the SDK knows',
      expect.stringMatching(/^message \(user\): content: /),
    ]);
    // The reply's branch holds only what the model saw, and the answer.
    expect(await stored(reply.answer.message_id)).toHaveLength(4);
  });

  test("a history item the model rejects: answered once more without history, the key logged", async () => {
    const first = await t().turn(CHAT, "/a remember 7");
    // An assistant item whose id the API rejects ("Expected an ID that begins with 'msg'").
    const [user, assistant] = await stored(first.answer.message_id);
    await raw.lset(
      key(first.answer.message_id),
      1,
      JSON.stringify({ ...assistant, id: "bogus_1" }),
    );
    expect(user.content).toBe("Ann(ann): remember 7");

    const before = ai.requests.length;
    const reply = await t().turn(CHAT, "and now?", { replyTo: first.answer });
    // Quoted instead: the model still sees what was replied to.
    expect(reply.answer.text).toBe(
      `echo: ${tg.bot.first_name}(${tg.bot.username}): echo: Ann(ann): remember 7\n\nAnn(ann): and now?`,
    );
    const [rejected, retried] = ai.requests.slice(before);
    expect(rejected.input[1].id).toBe("bogus_1");
    expect(turns(retried)).toHaveLength(1);
    const warning = await bot.waitForLog(
      (l) =>
        l.msg ===
        "the model rejected an item of the branch's history; answering once more without it",
    );
    expect(warning).toMatchObject({
      level: 40, // pino's warn
      parent_key: key(first.answer.message_id),
      message_id: reply.message.message_id,
    });
    expect(JSON.stringify(warning.err)).toContain("Invalid 'input[1].id': 'bogus_1'");
    // The new branch starts clean, and continues.
    expect((await stored(reply.answer.message_id)).map((item) => item.id ?? item.role)).toEqual([
      "user",
      expect.stringMatching(/^msg_/),
    ]);
    const next = await t().turn(CHAT, "still there?", { replyTo: reply.answer });
    expect(turns(next.requests[0])).toHaveLength(3);
    expect(repliesTo(tg, reply.message).map((m) => m.text)).not.toContain(ERROR_TEXT);
  });

  test.each([
    ["zero", 0],
    ["negative", -5],
    ["not an integer", 1.5],
    ["beyond the safe range", 2 ** 53],
  ])("a reply id that is %s gets an answer without history", async (_, badId) => {
    const oldAnswer: Message = {
      message_id: badId,
      from: { ...tg.bot },
      chat: { id: CHAT, type: "supergroup", title: "Poison" },
      date: Math.floor(Date.now() / 1000),
      text: "an old answer",
    };
    const reply = await t().turn(CHAT, "remember?", { replyTo: oldAnswer });
    expect(reply.answer.text).toBe(
      `echo: ${tg.bot.first_name}(${tg.bot.username}): an old answer\n\nAnn(ann): remember?`,
    );
    expect(reply.log.stored).toBe(true);
    const warning = await bot.waitForLog(
      (l) =>
        l.msg ===
          "the replied-to message id is not a valid message id; answering without history" &&
        l.message_id === reply.message.message_id,
    );
    expect(warning.reply_to_message_id).toBe(badId);
  });
});
