import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { useBotWorld } from "./support/e2e";
import { STORE_KINDS, type StoreBackend } from "./support/stores";
import { ann, bob, otherBot, repliesTo, transcript, turns } from "./support/transcript";

const MAX_ITEMS = 6;
/** One chat per scenario, so scenarios never see each other's messages. */
const CHAT = {
  first: -1001000000001,
  continues: -1001000000002,
  forks: -1001000000003,
  ignored: -1001000000004,
  long: -1001000000005,
  html: -1001000000006,
  tool: -1001000000007,
  retry: -1001000000008,
  errors: -1001000000009,
  shutdown: -1001000000010,
  reasoning: -1001000000011,
  network: -1001000000012,
  partial: -1001000000013,
  apology: -1001000000016,
  forum: -1001000000014,
  group: -4000000015,
  notAllowed: -1009999999999,
};
const ALLOWED = Object.entries(CHAT)
  .filter(([name]) => name !== "notAllowed")
  .map(([, id]) => id);

describe.each(STORE_KINDS)("the bot on the %s store", (kind) => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  useBotWorld(
    kind,
    () => ({
      OPENAI_MODEL: "gpt-test",
      AGENT_INSTRUCTIONS: "You are the test bot.",
      BOT_WHITELIST: ALLOWED.join(","),
      AGENT_MAX_CACHE_SIZE: String(MAX_ITEMS),
      LOG_LEVEL: "debug",
    }),
    (world) => {
      ({ tg, ai, store, bot } = world);
    },
  );

  test("first /a message: answered as a reply, typing shown, the model sees the formatted text", async () => {
    const { message, answer, requests, log } = await t().turn(CHAT.first, "/a what is a monad?");
    expect(answer.text).toBe("echo: Ann(ann): what is a monad?");
    const send = tg.calls.find(
      (c) => c.method === "sendMessage" && c.params.chat_id === CHAT.first,
    )!;
    expect(send.params.reply_parameters).toEqual({
      message_id: message.message_id,
      allow_sending_without_reply: true,
    });
    expect(send.params.parse_mode).toBe("HTML");
    const typing = tg.calls.find(
      (c) => c.method === "sendChatAction" && c.params.chat_id === CHAT.first,
    );
    expect(typing?.params.action).toBe("typing");
    expect(typing!.at).toBeLessThanOrEqual(send.at);

    expect(requests).toHaveLength(1);
    expect(requests[0].model).toBe("gpt-test");
    expect(requests[0].instructions).toBe("You are the test bot.");
    expect(turns(requests[0])).toEqual(["user:Ann(ann): what is a monad?"]);

    const key = `bot:${answer.message_id}:${CHAT.first}`;
    expect(log.keys).toEqual([key]);
    if (store.raw) {
      expect((await store.raw.items(key)).map((i) => i.role)).toEqual(["user", "assistant"]);
      const ttl = await store.raw.ttlSeconds(key);
      expect(ttl).toBeGreaterThan(604_700);
      expect(ttl).toBeLessThanOrEqual(604_800);
    }
  });

  test("a reply to the bot continues: the model gets the earlier turns; history is trimmed", async () => {
    const first = await t().turn(CHAT.continues, "/gpt U1");
    const second = await t().turn(CHAT.continues, "U2", { replyTo: first.answer });
    expect(turns(second.requests[0])).toEqual([
      "user:Ann(ann): U1",
      "assistant:echo: Ann(ann): U1",
      "user:Ann(ann): U2",
    ]);
    const third = await t().turn(CHAT.continues, "U3", { replyTo: second.answer, from: bob });
    const fourth = await t().turn(CHAT.continues, "U4", { replyTo: third.answer });
    expect(turns(fourth.requests[0])).toHaveLength(7);
    // Four turns are 8 items; only the newest AGENT_MAX_CACHE_SIZE (6) are kept.
    const fifth = await t().turn(CHAT.continues, "U5", { replyTo: fourth.answer });
    expect(turns(fifth.requests[0])).toEqual([
      "user:Ann(ann): U2",
      "assistant:echo: Ann(ann): U2",
      "user:Bob: U3",
      "assistant:echo: Bob: U3",
      "user:Ann(ann): U4",
      "assistant:echo: Ann(ann): U4",
      "user:Ann(ann): U5",
    ]);
    if (store.raw) {
      const stored = await store.raw.items(`bot:${fifth.answer.message_id}:${CHAT.continues}`);
      expect(stored).toHaveLength(MAX_ITEMS);
    }
  });

  test("a reply to an older bot message forks; the newer branch stays intact", async () => {
    const a1 = await t().turn(CHAT.forks, "/a U1");
    const a2 = await t().turn(CHAT.forks, "U2", { replyTo: a1.answer });
    const fork = await t().turn(CHAT.forks, "U3", { replyTo: a1.answer });
    expect(turns(fork.requests[0])).toEqual([
      "user:Ann(ann): U1",
      "assistant:echo: Ann(ann): U1",
      "user:Ann(ann): U3",
    ]);
    const newer = await t().turn(CHAT.forks, "U4", { replyTo: a2.answer });
    expect(turns(newer.requests[0])).toEqual([
      "user:Ann(ann): U1",
      "assistant:echo: Ann(ann): U1",
      "user:Ann(ann): U2",
      "assistant:echo: Ann(ann): U2",
      "user:Ann(ann): U4",
    ]);
    if (store.raw) {
      const forked = await store.raw.items(`bot:${fork.answer.message_id}:${CHAT.forks}`);
      expect(forked.map((i) => i.role)).toEqual(["user", "assistant", "user", "assistant"]);
      expect(await store.raw.items(`bot:${a2.answer.message_id}:${CHAT.forks}`)).toHaveLength(4);
    }
  });

  test("ignored: plain messages, replies to people or other bots, other bots' commands, edits, other chats", async () => {
    const chat = CHAT.ignored;
    const requestsBefore = ai.requests.length;
    const plain = tg.sendUserMessage({ chatId: chat, from: ann, text: "just chatting" });
    expect(await t().ignored(plain)).toBe("no command");
    const human = tg.sendUserMessage({ chatId: chat, from: bob, text: "I am Bob" });
    await t().ignored(human);
    const toHuman = tg.sendUserMessage({ chatId: chat, from: ann, text: "hi Bob", replyTo: human });
    expect(await t().ignored(toHuman)).toBe("reply to someone else");
    const fromBot = tg.sendUserMessage({ chatId: chat, from: otherBot, text: "/a I am a bot" });
    expect(await t().ignored(fromBot)).toBe("sent by a bot");
    const toBot = tg.sendUserMessage({ chatId: chat, from: ann, text: "hey", replyTo: fromBot });
    expect(await t().ignored(toBot)).toBe("reply to someone else");
    const forOther = tg.sendUserMessage({ chatId: chat, from: ann, text: "/a@other_bot hi" });
    expect(await t().ignored(forOther)).toBe("command for another bot");
    const foreign = tg.sendUserMessage({ chatId: CHAT.notAllowed, from: ann, text: "/a hi" });
    expect(await t().ignored(foreign)).toBe("chat not on the allowlist");
    const edited = tg.sendUserMessage({ chatId: chat, from: ann, text: "typo" });
    await t().ignored(edited);
    tg.pushUpdate({ edited_message: { ...edited, text: "/a fixed", edit_date: edited.date + 1 } });

    // Addressed to this bot explicitly: answered (and after everything above, chats in order).
    const mine = await t().turn(chat, `/a@${tg.bot.username} hello`);
    expect(mine.answer.text).toBe("echo: Ann(ann): hello");
    expect(ai.requests.length).toBe(requestsBefore + 1);
    expect(tg.sentMessages(chat)).toHaveLength(1);
    expect(tg.sentMessages(CHAT.notAllowed)).toHaveLength(0);
  });

  test("a forum topic: typing and every answer go to the user's topic; a reply there continues", async () => {
    const chat = CHAT.forum;
    const topicId = 7;
    const first = await t().turn(chat, "/a hello from a topic", { topicId });
    expect(first.answer).toMatchObject({ message_thread_id: topicId, is_topic_message: true });
    const typing = tg.calls.filter(
      (c) => c.method === "sendChatAction" && c.params.chat_id === chat,
    );
    expect(typing.length).toBeGreaterThan(0);
    expect(typing.map((c) => c.params.message_thread_id)).toEqual(typing.map(() => topicId));

    const next = await t().turn(chat, "and more", { topicId, replyTo: first.answer });
    expect(next.answer.message_thread_id).toBe(topicId);
    expect(turns(next.requests[0])).toEqual([
      "user:Ann(ann): hello from a topic",
      "assistant:echo: Ann(ann): hello from a topic",
      "user:Ann(ann): and more",
    ]);
    const sends = tg.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === chat);
    expect(sends.map((c) => c.params.message_thread_id)).toEqual(sends.map(() => topicId));
  });

  test("a whitelisted group upgraded to a supergroup: a warning names the new id to allow", async () => {
    const group = CHAT.group;
    await t().turn(group, "/a before the upgrade");
    const supergroup = tg.migrateGroup(group, ann);
    const warning = await bot.waitForLog(
      (line) => line.level === 40 && line.chat_id === group && line.new_chat_id === supergroup,
    );
    expect(warning.msg).toContain(`add ${supergroup} to BOT_WHITELIST`);
    const after = tg.sendUserMessage({ chatId: supergroup, from: ann, text: "/a hi" });
    expect(await t().ignored(after)).toBe("chat not on the allowlist");
  });

  test("/start, /help and a message without text get explanations, not runs", async () => {
    const chat = CHAT.ignored;
    const requestsBefore = ai.requests.length;
    const start = tg.sendUserMessage({ chatId: chat, from: ann, text: "/start" });
    const help = await tg.waitFor((s) => repliesTo(s, start)[0]);
    expect(help.text).toMatch(/\/a or \/gpt/);
    const answer = await t().turn(chat, "/a hi");
    const sticker = tg.sendUserMessage({
      chatId: chat,
      from: ann,
      sticker: true,
      replyTo: answer.answer,
    });
    const explained = await tg.waitFor((s) => repliesTo(s, sticker)[0]);
    expect(explained.text).toMatch(/only read text/);
    expect(ai.requests.length).toBe(requestsBefore + 1);
  });

  test("a long answer is split below 4096 characters; a reply to its second part continues", async () => {
    const paragraphs = [1, 2, 3].map((n) => `Part ${n}. ${"lorem ipsum ".repeat(250).trim()}`);
    ai.script({ text: paragraphs.join("\n\n") });
    const long = await t().turn(CHAT.long, "/a tell me a lot");
    expect(long.answers.length).toBeGreaterThan(1);
    for (const part of long.answers) expect(part.text!.length).toBeLessThanOrEqual(4096);
    expect(long.answers.map((m) => m.text).join("\n\n")).toBe(paragraphs.join("\n\n"));
    expect(long.log.keys).toHaveLength(long.answers.length);

    const next = await t().turn(CHAT.long, "and more?", { replyTo: long.answers[1] });
    expect(turns(next.requests[0])).toEqual([
      "user:Ann(ann): tell me a lot",
      `assistant:${paragraphs.join("\n\n")}`,
      "user:Ann(ann): and more?",
    ]);
  });

  test("a split answer whose second part cannot be sent: the apology replies to the part that went out", async () => {
    const paragraphs = [1, 2].map((n) => `Part ${n}. ${"lorem ipsum ".repeat(300).trim()}`);
    ai.script({ text: paragraphs.join("\n\n") });
    tg.failWhen("sendMessage", (params) => String(params.text).startsWith("Part 2."), {
      error_code: 400,
      description: "Bad Request: message is too long",
    });
    try {
      const cut = await t().turn(CHAT.partial, "/a tell me a lot");
      expect(cut.answers.map((m) => m.text!.slice(0, 7))).toEqual(["Part 1."]);
      const notice = await tg.waitFor((s) => repliesTo(s, cut.answer)[0]);
      expect(notice.text).toMatch(/^Sorry, something went wrong/);
      // What went out is stored: a reply to it continues the conversation.
      const next = await t().turn(CHAT.partial, "and?", { replyTo: cut.answer });
      expect(turns(next.requests[0])[0]).toBe("user:Ann(ann): tell me a lot");
    } finally {
      tg.clearFailures("sendMessage");
    }
  });

  test("formatting: Markdown goes out as HTML; when Telegram rejects it, the text is resent plain", async () => {
    ai.script({ text: "**Bold** and `code`" });
    const formatted = await t().turn(CHAT.html, "/a format");
    expect(formatted.answer.text).toBe("Bold and code");
    expect(formatted.answer.entities?.map((e) => e.type)).toEqual(["bold", "code"]);

    tg.failNext("sendMessage", {
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
    });
    ai.script({ text: "**Bold** <x> and `code`" });
    const plain = await t().turn(CHAT.html, "/a again");
    expect(plain.answer.text).toBe("**Bold** <x> and `code`");
    expect(plain.answer.entities ?? []).toEqual([]);
    const attempts = tg.calls.filter(
      (c) => c.method === "sendMessage" && c.params.chat_id === CHAT.html,
    );
    expect(attempts.slice(-2).map((c) => [c.params.parse_mode, c.response?.ok])).toEqual([
      ["HTML", false],
      [undefined, true],
    ]);
  });

  test("a tool-using turn: the tool runs, the answer is sent, and tool items never reach memory", async () => {
    ai.script(
      { toolCall: { name: "current_time", arguments: { timezone: "UTC" } } },
      { text: "It is late." },
    );
    const tool = await t().turn(CHAT.tool, "/a what time is it?");
    expect(tool.answer.text).toBe("It is late.");
    expect(tool.requests).toHaveLength(2);
    const second = turns(tool.requests[1]);
    expect(second).toEqual([
      "user:Ann(ann): what time is it?",
      "<function_call>",
      "<function_call_output>",
    ]);
    const output = tool.requests[1].input.find((i: any) => i.type === "function_call_output");
    expect(JSON.stringify(output.output)).toMatch(/\d{4}-\d{2}-\d{2}T/);

    const next = await t().turn(CHAT.tool, "thanks", { replyTo: tool.answer });
    expect(turns(next.requests[0])).toEqual([
      "user:Ann(ann): what time is it?",
      "assistant:It is late.",
      "user:Ann(ann): thanks",
    ]);
    if (store.raw) {
      const stored = await store.raw.items(`bot:${tool.answer.message_id}:${CHAT.tool}`);
      expect(stored.map((i) => i.type ?? "message")).toEqual(["message", "message"]);
    }
  });

  test("a reasoning model: memory keeps each reasoning item with its answer, through tool calls and trims", async () => {
    let n = 0;
    const reasoning = () => ({ id: `rs_${kind}_${++n}`, type: "reasoning", summary: [] });
    const message = (text: string) => ({
      id: `msg_${kind}_${++n}`,
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text, annotations: [] }],
    });
    const call = {
      id: `fc_${kind}_1`,
      type: "function_call",
      status: "completed",
      call_id: `call_${kind}_1`,
      name: "current_time",
      arguments: '{"timezone":"UTC"}',
    };
    // The tool call's reasoning item must go with the call (the server rejects it alone).
    ai.script({ output: [reasoning(), call] }, { output: [reasoning(), message("It is late.")] });
    const tool = await t().turn(CHAT.reasoning, "/a what time is it?");
    expect(tool.answer.text).toBe("It is late.");
    ai.script({ text: "plain answer" });
    const plain = await t().turn(CHAT.reasoning, "U2", { replyTo: tool.answer });
    expect(turns(plain.requests[0])).toEqual([
      "user:Ann(ann): what time is it?",
      "<reasoning>",
      "assistant:It is late.",
      "user:Ann(ann): U2",
    ]);
    // 5 stored + 3 new = 8 > 6: the newest 6 would start at "It is late." without its
    // reasoning item, so the trim takes that answer too.
    ai.script({ output: [reasoning(), message("thought about U3")] });
    const third = await t().turn(CHAT.reasoning, "U3", { replyTo: plain.answer });
    expect(third.answer.text).toBe("thought about U3");
    const fourth = await t().turn(CHAT.reasoning, "U4", { replyTo: third.answer });
    expect(fourth.answer.text).toBe("echo: Ann(ann): U4");
    expect(turns(fourth.requests[0])).toEqual([
      "user:Ann(ann): U2",
      "assistant:plain answer",
      "user:Ann(ann): U3",
      "<reasoning>",
      "assistant:thought about U3",
      "user:Ann(ann): U4",
    ]);
  });

  test("Telegram 429: the answer is retried after retry_after", async () => {
    tg.failNext("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      retry_after: 1,
    });
    const retried = await t().turn(CHAT.retry, "/a hurry");
    expect(retried.answer.text).toBe("echo: Ann(ann): hurry");
    const attempts = tg.calls.filter(
      (c) => c.method === "sendMessage" && c.params.chat_id === CHAT.retry,
    );
    expect(attempts.map((c) => c.response?.ok)).toEqual([false, true]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
  });

  test("Bot API calls that get no response are retried and logged; past the retries the turn ends with the apology", async () => {
    tg.dropNext("sendMessage", 2);
    const shaky = await t().turn(CHAT.network, "/a shaky");
    expect(shaky.answer.text).toBe("echo: Ann(ann): shaky");
    const retries = bot.logs.filter(
      (l) => l.msg === "Telegram request failed; retrying" && l.method === "sendMessage",
    );
    expect(retries.map((l) => l.attempt)).toEqual([1, 2]);
    expect(retries[0]!.level).toBe(40);

    // The answer's first try and its 3 retries all go unanswered: the user gets the apology.
    tg.dropNext("sendMessage", 4);
    const lost = tg.sendUserMessage({ chatId: CHAT.network, from: ann, text: "/a lost" });
    const apology = await tg.waitFor((s) => repliesTo(s, lost)[0], 20_000);
    expect(apology.text).toMatch(/^Sorry, something went wrong/);
    await bot.waitForLog((l) => l.msg === "Telegram request failed" && l.method === "sendMessage");
    // A long poll that fails is logged (the runner retries it) and polling goes on.
    tg.dropNext("getUpdates");
    const after = await t().turn(CHAT.network, "/a still there?");
    expect(after.answer.text).toBe("echo: Ann(ann): still there?");
    await bot.waitForLog((l) => l.msg === "Telegram request failed" && l.method === "getUpdates");
    const later = await t().turn(CHAT.network, "/a and now?");
    expect(later.answer.text).toBe("echo: Ann(ann): and now?");
    expect(bot.stdout() + bot.stderr()).not.toContain(tg.token);
  }, 30_000);

  test("a model error: the user gets the apology, the error is logged with the update id, the bot goes on", async () => {
    ai.script({ error: { status: 400 } });
    const failing = tg.sendUserMessage({ chatId: CHAT.errors, from: ann, text: "/a break" });
    const apology = await tg.waitFor((s) => repliesTo(s, failing)[0]);
    expect(apology.text).toMatch(/^Sorry, something went wrong/);
    const logged = await bot.waitForLog(
      (l) => l.msg === "turn failed" && l.message_id === failing.message_id,
    );
    expect(typeof logged.update_id).toBe("number");
    expect(logged.level).toBe(50);

    const after = await t().turn(CHAT.errors, "/a still there?");
    expect(after.answer.text).toBe("echo: Ann(ann): still there?");
  });

  test("a reply to the apology retries the failed turn in its conversation", async () => {
    const first = await t().turn(CHAT.apology, "/a I am Ann");
    ai.script({ error: { status: 400 } });
    const failing = tg.sendUserMessage({
      chatId: CHAT.apology,
      from: ann,
      text: "what is my name?",
      replyTo: first.answer,
    });
    const apology = await tg.waitFor((s) => repliesTo(s, failing)[0]);
    const retry = await t().turn(CHAT.apology, "try again", { replyTo: apology });
    // The conversation before the failed turn, its message, and the reply to the apology.
    expect(turns(retry.requests[0])).toEqual([
      "user:Ann(ann): I am Ann",
      "assistant:echo: Ann(ann): I am Ann",
      "user:Ann(ann): what is my name?",
      "user:Ann(ann): try again",
    ]);
    expect(bot.logs.filter((l) => /younger than the TTL/.test(String(l.msg)))).toEqual([]);
  });

  test("SIGTERM during a turn: the answer is still sent and stored before a clean exit", async () => {
    // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
    ai.script({ delayMs: 1500, then: { text: "finished after the signal" } });
    const before = ai.requests.length;
    const message = tg.sendUserMessage({ chatId: CHAT.shutdown, from: ann, text: "/a slow one" });
    await ai.waitForRequests(before + 1);
    bot.child.kill("SIGTERM");
    const { code } = await bot.exited;
    expect(code).toBe(0);
    const [answer] = repliesTo(tg, message);
    expect(answer?.text).toBe("finished after the signal");
    const answered = bot.logs.find(
      (l) => l.msg === "answered" && l.message_id === message.message_id,
    );
    expect(answered?.stored).toBe(true);
    const stopped = bot.logs.findIndex((l) => l.msg === "stopped");
    expect(stopped).toBeGreaterThan(bot.logs.indexOf(answered!));
    if (store.raw) {
      const stored = await store.raw.items(`bot:${answer!.message_id}:${CHAT.shutdown}`);
      expect(stored).toHaveLength(2);
    }
    // Secrets never reach the logs, whatever the level (this bot ran at debug).
    const output = bot.stdout() + bot.stderr();
    expect(output).not.toContain(tg.token);
    expect(output).not.toContain(ai.apiKey);
    if (store.env.UPSTASH_REDIS_REST_TOKEN) {
      expect(output).not.toContain(store.env.UPSTASH_REDIS_REST_TOKEN);
    }
    // The handled update was confirmed: a restart would not receive it again.
    expect(
      tg.pendingUpdates().some((u) => (u as any).message?.message_id === message.message_id),
    ).toBe(false);
  });
});
