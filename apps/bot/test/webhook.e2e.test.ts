import { freePort } from "@agents-memory/test-servers/free-port";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import {
  type Message,
  startTelegramServer,
  type TelegramServer,
} from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { ann, repliesTo, turns } from "./support/transcript";

const SECRET = "webhook-secret_123";
const CHAT = -1003000000001;

describe("webhook mode", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let bot: BotProcess;
  let hook: string;
  let nextUpdateId = 1000;

  /** Posts an update the way Telegram does. */
  const deliver = (update: Record<string, unknown>, secret: string | null = SECRET) =>
    fetch(hook, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
      },
      body: JSON.stringify(update),
    });

  const userMessage = (text: string, replyTo?: Message) =>
    tg.sendUserMessage({ chatId: CHAT, from: ann, text, ...(replyTo ? { replyTo } : {}) });

  beforeAll(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
    const port = await freePort();
    hook = `http://127.0.0.1:${port}/tg-hook`;
    bot = await startBot(
      tg,
      ai,
      {
        BOT_MODE: "webhook",
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_HOST: "127.0.0.1",
        WEBHOOK_PORT: String(port),
        WEBHOOK_PATH: "/tg-hook",
        WEBHOOK_URL: "https://bot.example.test/tg-hook",
      },
      { ready: (line) => line.msg === "webhook registered with Telegram" },
    );
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("registers the webhook with its secret at start", () => {
    const call = tg.calls.find((c) => c.method === "setWebhook");
    expect(call?.params).toMatchObject({
      url: "https://bot.example.test/tg-hook",
      secret_token: SECRET,
      allowed_updates: ["message"],
    });
    expect(tg.calls.some((c) => c.method === "getUpdates")).toBe(false);
  });

  test("a wrong or missing secret token gets 401 and nothing is handled", async () => {
    const message = userMessage("/a sneaky");
    expect((await deliver({ update_id: nextUpdateId++, message }, "wrong")).status).toBe(401);
    expect((await deliver({ update_id: nextUpdateId++, message }, null)).status).toBe(401);
    await bot.waitForLog((l) => l.msg === "webhook call with a wrong secret token");
    expect(ai.requests).toHaveLength(0);
    expect(repliesTo(tg, message)).toHaveLength(0);
  });

  test("an update is acknowledged once its answer is out (Telegram keeps it until then), typing kept alive", async () => {
    // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
    ai.script({ delayMs: 4500, then: { text: "slow answer" } });
    const message = userMessage("/a take your time");
    const started = Date.now();
    const response = await deliver({ update_id: nextUpdateId++, message });
    expect(response.status).toBe(200);
    // The model takes 4.5 s, within WEBHOOK_ACK_TIMEOUT_MS (10 s): the 200 comes after the answer.
    expect(repliesTo(tg, message).map((m) => m.text)).toEqual(["slow answer"]);
    // Telegram shows "typing…" for ~5 s: refreshed while the model works.
    const typing = tg.calls.filter(
      (c) => c.method === "sendChatAction" && c.at >= started && c.params.action === "typing",
    );
    expect(typing.length).toBeGreaterThanOrEqual(2);
  });

  test("a redelivered update id is not answered twice; replies continue the conversation", async () => {
    const message = userMessage("/a once");
    const update = { update_id: nextUpdateId++, message };
    expect((await deliver(update)).status).toBe(200);
    const answer = await tg.waitFor((s) => repliesTo(s, message)[0]);
    expect((await deliver(update)).status).toBe(200);
    await bot.waitForLog(
      (l) => l.msg === "redelivered update ignored" && l.update_id === update.update_id,
    );
    expect(repliesTo(tg, message)).toHaveLength(1);

    const reply = userMessage("twice?", answer);
    await deliver({ update_id: nextUpdateId++, message: reply });
    await tg.waitFor((s) => repliesTo(s, reply)[0]);
    expect(turns(ai.requests.at(-1))).toEqual([
      "user:Ann(ann): once",
      "assistant:echo: Ann(ann): once",
      "user:Ann(ann): twice?",
    ]);
  });

  test("an update whose message has no chat: 200 and one warning line, no error, no stack", async () => {
    const { chat: _chat, ...chatless } = userMessage("/a where am I?");
    const updateId = nextUpdateId++;
    expect((await deliver({ update_id: updateId, message: chatless })).status).toBe(200);
    const warning = await bot.waitForLog((l) => l.update_id === updateId);
    expect(warning).toMatchObject({
      level: 40,
      msg: "malformed update ignored",
      problem: "message has no chat",
    });
    expect(warning.err).toBeUndefined();
    const { chat: _replyChat, ...orphan } = userMessage("/a the quoted one");
    const replyId = nextUpdateId++;
    const reply = { ...userMessage("/a and me?"), reply_to_message: orphan };
    expect((await deliver({ update_id: replyId, message: reply })).status).toBe(200);
    await bot.waitForLog(
      (l) => l.update_id === replyId && l.problem === "message.reply_to_message has no chat",
    );
    // Still serving: the next update is answered.
    const message = userMessage("/a still here?");
    await deliver({ update_id: nextUpdateId++, message });
    await tg.waitFor((s) => repliesTo(s, message)[0]);
    expect(bot.logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(
      bot.logs.filter((l) => l.update_id === updateId || l.update_id === replyId),
    ).toHaveLength(2);
  });

  test("SIGTERM: the turn in flight finishes, then the process exits 0", async () => {
    // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
    ai.script({ delayMs: 800, then: { text: "last words" } });
    const before = ai.requests.length;
    const message = userMessage("/a last");
    await deliver({ update_id: nextUpdateId++, message });
    await ai.waitForRequests(before + 1);
    bot.child.kill("SIGTERM");
    expect((await bot.exited).code).toBe(0);
    expect(repliesTo(tg, message)[0]?.text).toBe("last words");
  });
});

describe("webhook mode at its edges", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let bot: BotProcess;
  let hook: string;

  const post = (body: string | ReadableStream, secret: string | null = SECRET) =>
    fetch(hook, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
      },
      body,
      duplex: "half",
    } as RequestInit);

  beforeAll(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
    const port = await freePort();
    hook = `http://127.0.0.1:${port}/tg-hook`;
    bot = await startBot(tg, ai, {
      BOT_MODE: "webhook",
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_HOST: "127.0.0.1",
      WEBHOOK_PORT: String(port),
      WEBHOOK_PATH: "/tg-hook",
      SHUTDOWN_TIMEOUT_MS: "1000",
      WEBHOOK_ACK_TIMEOUT_MS: "1500",
      OPENAI_TIMEOUT_MS: "20000",
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("a shutdown timeout shorter than a model request is a start-up warning", () => {
    const warning = bot.logs.find((l) => l.msg.startsWith("SHUTDOWN_TIMEOUT_MS=1000"));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain("one model request can take (61500 ms");
  });

  test("a body over the limit gets 413, whether its length is declared or streamed", async () => {
    const big = JSON.stringify({ update_id: 1, padding: "x".repeat(16_000_000) });
    expect((await post(big)).status).toBe(413);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    expect((await post(chunked)).status).toBe(413);
    // The server is still fine afterwards.
    expect((await fetch(hook.replace("/tg-hook", "/healthz"))).status).toBe(200);
  });

  test("300 calls with a wrong secret: one warning at once, the rest counted in one line", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => post("{}", i % 2 ? "wrong" : null)),
    );
    expect(statuses.every((r) => r.status === 401)).toBe(true);
    const first = await bot.waitForLog((l) => l.msg === "webhook call with a wrong secret token");
    expect(first).toMatchObject({ level: 40, count: 1 });
    // The other 299 are counted, not logged (the shutdown test below sees their line).
    expect(bot.logs.filter((l) => l.msg === first.msg)).toHaveLength(1);
  });

  test("shutdown timed out: an update acknowledged after WEBHOOK_ACK_TIMEOUT_MS is logged lost; one not yet acknowledged is refused (503), so Telegram delivers it again", async () => {
    const chats = [-1003000000011, -1003000000012];
    // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
    ai.respondWith(() => ({ delayMs: 10_000, then: { text: "too late" } }));
    const message = (i: number) =>
      JSON.stringify({
        update_id: 5000 + i,
        message: tg.sendUserMessage({ chatId: chats[i]!, from: ann, text: `/a slow ${i}` }),
      });
    // The first turn outlasts WEBHOOK_ACK_TIMEOUT_MS (1.5 s): acknowledged while it runs.
    const first = await post(message(0));
    expect(first.status).toBe(200);
    expect(tg.sentMessages(chats[0]!)).toHaveLength(0);
    const second = post(message(1));
    await ai.waitForRequests(2);
    const { code } = await bot.stop();
    expect(code).toBe(0);
    expect((await second).status).toBe(503);
    const unanswered = bot.logs.filter((l) => l.msg.includes("before this update was answered"));
    expect(unanswered.map((l) => [l.level, l.update_id, l.chat_id, l.msg])).toEqual([
      [50, 5000, chats[0], "shutdown timed out before this update was answered; it is lost"],
      [
        40,
        5001,
        chats[1],
        "shutdown timed out before this update was answered; refused, so Telegram delivers it again",
      ],
    ]);
    // The wrong-secret count not yet logged is flushed at shutdown: 299 after the first line.
    const counted = bot.logs.filter((l) => l.msg === "webhook call with a wrong secret token");
    expect(counted.map((l) => l.count)).toEqual([1, 299]);
  });
});
