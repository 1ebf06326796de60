import { freePort } from "@agents-memory/test-servers/free-port";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import {
  type Message,
  startTelegramServer,
  type TelegramServer,
} from "@agents-memory/test-servers/telegram";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { type StoreBackend, startStore } from "./support/stores";
import { ann, repliesTo, turns } from "./support/transcript";

/** A model step that answers after `ms`. */
const slow = (ms: number, text: string) =>
  // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
  ({ delayMs: ms, then: { text } });

/** The user's line a model request was about. */
const asked = (request: any) => turns(request).at(-1)!;

const LEASE_MS = 2_000;

describe("two bot processes on one Redis answer each update once", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  const bots: BotProcess[] = [];

  const start = async () => {
    // A loaded machine can take more than the default 250 ms per store call; a claim that
    // fails answers the update unclaimed (so it may be answered twice), which is not tested here.
    const bot = await startBot(tg, ai, {
      ...store.env,
      UPDATE_LEASE_MS: String(LEASE_MS),
      STORE_TIMEOUT_MS: "2000",
    });
    bots.push(bot);
    return bot;
  };

  const ask = (chatId: number, text: string): Message =>
    tg.sendUserMessage({ chatId, from: ann, text: `/a ${text}` });

  /** The process whose turn for `message` reached the model. */
  const runnerOf = (message: Message) =>
    bots.find((bot) =>
      bot.logs.some((l) => l.msg === "running the agent" && l.message_id === message.message_id),
    );

  beforeEach(async () => {
    [tg, ai, store] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startStore("redis"),
    ]);
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.stop();
    await Promise.all([tg?.close(), ai?.close(), store?.stop()]);
  });

  test("both polling with the same token: 12 messages, 12 answers, 12 model requests", async () => {
    ai.respondWith((request) => slow(500, `answer to ${asked(request)}`));
    const [a, b] = [await start(), await start()];
    expect(a.logs.find((l) => l.msg.startsWith("each update is claimed"))).toMatchObject({
      lease_ms: LEASE_MS,
    });
    const messages = Array.from({ length: 12 }, (_, i) => ask(-1006000000000 - i, `q${i}`));
    for (const message of messages) await tg.waitFor((s) => repliesTo(s, message)[0], 20_000);
    // Both received the updates (each process's getUpdates returns what is unconfirmed):
    // the second to look found each one held or done.
    const deferred = [...a.logs, ...b.logs].filter(
      (l) =>
        l.msg.startsWith("another process is answering this update") ||
        l.msg.startsWith("update already answered by another process"),
    );
    expect(deferred.length).toBeGreaterThan(0);
    // Let a second answer, if any, arrive: each process confirms what it finished.
    await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const message of messages) expect(repliesTo(tg, message)).toHaveLength(1);
    expect(ai.requests).toHaveLength(12);
  }, 60_000);

  test("a restart mid-turn (SIGTERM): the turn finishes there, the other process does not answer it again", async () => {
    ai.script(slow(3_000, "the answer"));
    await start();
    await start();
    const message = ask(-1006000000100, "rolling deploy");
    await ai.waitForRequests(1);
    const runner = runnerOf(message)!;
    expect(runner).toBeDefined();
    expect((await runner.stop()).code).toBe(0);
    expect(repliesTo(tg, message).map((m) => m.text)).toEqual(["the answer"]);

    // The new process, and the one left, serve on; the old update is answered no more.
    await start();
    const next = ask(-1006000000100, "after the deploy");
    await tg.waitFor((s) => repliesTo(s, next)[0], 15_000);
    await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(repliesTo(tg, message)).toHaveLength(1);
    expect(repliesTo(tg, next)).toHaveLength(1);
    expect(ai.requests.map(asked)).toEqual([
      "user:Ann(ann): rolling deploy",
      "user:Ann(ann): after the deploy",
    ]);
  }, 60_000);

  test("a crash mid-turn (SIGKILL): the other process answers once the claim runs out; once", async () => {
    ai.script(slow(10_000, "never sent"));
    await start();
    await start();
    const message = ask(-1006000000200, "crash");
    await ai.waitForRequests(1);
    const runner = runnerOf(message)!;
    const survivor = bots.find((bot) => bot !== runner)!;
    runner.child.kill("SIGKILL");
    await runner.exited;
    const answer = await tg.waitFor((s) => repliesTo(s, message)[0], 15_000);
    expect(answer.text).toBe("echo: Ann(ann): crash");
    await survivor.waitForLog(
      (l) => l.msg.startsWith("answered") && l.message_id === message.message_id,
    );
    await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(repliesTo(tg, message)).toHaveLength(1);
    expect(ai.requests).toHaveLength(2);
  }, 60_000);
});

describe("two webhook processes on one Redis: an update delivered to both is answered once", () => {
  const SECRET = "claims-secret";
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  const bots: BotProcess[] = [];
  const hooks: string[] = [];

  beforeEach(async () => {
    [tg, ai, store] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startStore("redis"),
    ]);
  });

  /** Starts the two webhook processes (each test first), with `env` added. */
  const startPair = async (env: Record<string, string> = {}) => {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      hooks.push(`http://127.0.0.1:${port}/hook`);
      bots.push(
        await startBot(tg, ai, {
          ...store.env,
          STORE_TIMEOUT_MS: "2000",
          UPDATE_LEASE_MS: String(LEASE_MS),
          BOT_MODE: "webhook",
          WEBHOOK_SECRET: SECRET,
          WEBHOOK_HOST: "127.0.0.1",
          WEBHOOK_PORT: String(port),
          WEBHOOK_PATH: "/hook",
          ...env,
        }),
      );
    }
  };

  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.stop();
    hooks.splice(0);
    await Promise.all([tg?.close(), ai?.close(), store?.stop()]);
  });

  const deliver = (hook: string, update: Record<string, unknown>) =>
    fetch(hook, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
    });

  test("delivered to both at once, and again to each after the answer: one answer", async () => {
    await startPair();
    ai.script(slow(1_500, "only once"));
    const message = tg.sendUserMessage({ chatId: -1006000000300, from: ann, text: "/a hi" });
    const update = { update_id: 9001, message };
    const statuses = await Promise.all(hooks.map((hook) => deliver(hook, update)));
    expect(statuses.map((r) => r.status)).toEqual([200, 200]);
    await tg.waitFor((s) => repliesTo(s, message)[0], 15_000);
    const other = bots.find(
      (bot) => !bot.logs.some((l) => l.msg === "running the agent" && l.update_id === 9001),
    )!;
    await other.waitForLog(
      (l) => l.msg.startsWith("update already answered by another process") && l.update_id === 9001,
      10_000,
    );
    // Redelivered to the process that answered: its own memory says so; to the other: the store.
    for (const hook of hooks) expect((await deliver(hook, update)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(repliesTo(tg, message).map((m) => m.text)).toEqual(["only once"]);
    expect(ai.requests).toHaveLength(1);
  }, 60_000);

  test("a crash mid-turn (SIGKILL): the delivery fails, so Telegram sends it again; the other process answers it once the claim runs out", async () => {
    await startPair();
    ai.script(slow(10_000, "never sent"));
    const message = tg.sendUserMessage({ chatId: -1006000000400, from: ann, text: "/a crash" });
    const update = { update_id: 9002, message };
    const [first, second] = bots;
    // Not acknowledged while the turn runs: the request is still open when the process dies.
    const delivery = deliver(hooks[0]!, update).then(
      (response) => response.status,
      () => "failed" as const,
    );
    await ai.waitForRequests(1);
    first!.child.kill("SIGKILL");
    await first!.exited;
    expect(await delivery).toBe("failed");
    // Telegram delivers it again, here to the other process; acknowledged once answered.
    const redelivered = await deliver(hooks[1]!, update);
    expect(redelivered.status).toBe(200);
    expect(repliesTo(tg, message).map((m) => m.text)).toEqual(["echo: Ann(ann): crash"]);
    await second!.waitForLog((l) =>
      l.msg.startsWith("the process answering this update stopped renewing its claim"),
    );
    expect(ai.requests).toHaveLength(2);
  }, 60_000);

  test("stopping while another process answers an update: the delivery is refused (503), so Telegram delivers it again", async () => {
    await startPair();
    ai.script(slow(4_000, "from the holder"));
    const message = tg.sendUserMessage({ chatId: -1006000000500, from: ann, text: "/a wait" });
    const update = { update_id: 9003, message };
    const [holder, waiter] = bots;
    const held = deliver(hooks[0]!, update);
    await ai.waitForRequests(1);
    const waiting = deliver(hooks[1]!, update);
    await waiter!.waitForLog(
      (l) => l.msg.startsWith("another process is answering this update") && l.update_id === 9003,
    );
    await waiter!.stop();
    expect((await waiting).status).toBe(503);
    expect((await held).status).toBe(200);
    expect(repliesTo(tg, message).map((m) => m.text)).toEqual(["from the holder"]);
    expect(holder!.logs.some((l) => l.msg === "answered" && l.update_id === 9003)).toBe(true);
  }, 60_000);

  test("past WEBHOOK_ACK_TIMEOUT_MS a process that only waits for the holder refuses (503), so Telegram keeps the update; the holder's turn acknowledges it", async () => {
    await startPair({ WEBHOOK_ACK_TIMEOUT_MS: "1000" });
    ai.script(slow(4_000, "from the holder"));
    const message = tg.sendUserMessage({ chatId: -1006000000600, from: ann, text: "/a long" });
    const update = { update_id: 9004, message };
    const held = deliver(hooks[0]!, update);
    await ai.waitForRequests(1);
    const started = Date.now();
    const waiting = await deliver(hooks[1]!, update);
    expect(waiting.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_000);
    // The holder's own turn outlasts the bound too: acknowledged while it runs, then answered.
    expect((await held).status).toBe(200);
    await tg.waitFor((s) => repliesTo(s, message)[0], 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(repliesTo(tg, message).map((m) => m.text)).toEqual(["from the holder"]);
  }, 60_000);
});
