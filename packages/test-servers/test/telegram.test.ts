import { autoRetry } from "@grammyjs/auto-retry";
import { run } from "@grammyjs/runner";
import { Bot, GrammyError } from "grammy";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type Message, parseHtml, startTelegramServer, type TelegramServer } from "../src/telegram";

let server: TelegramServer;
let bots: Bot[] = [];

beforeEach(async () => {
  server = await startTelegramServer();
});

afterEach(async () => {
  for (const bot of bots) if (bot.isRunning()) await bot.stop();
  bots = [];
  await server.close();
});

const newBot = () => {
  const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
  bots.push(bot);
  return bot;
};

const ann = { id: 501, first_name: "Ann", username: "ann" };

/** A private chat the bot may write to (Telegram answers "chat not found" for unknown chats). */
const openChat = (chatId = ann.id) =>
  server.sendUserMessage({ chatId, from: { ...ann, id: chatId }, text: "hello" });

async function rawCall(path: string, init?: RequestInit) {
  const response = await fetch(`${server.apiRoot}${path}`, init);
  return { status: response.status, body: (await response.json()) as any };
}

const api = (method: string, params: Record<string, unknown> = {}) =>
  rawCall(`/bot${server.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });

/** The message parseHtml throws for `html`, or "no error". */
const error = (html: string) => {
  try {
    parseHtml(html);
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
};

async function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GrammyError);
    return error as GrammyError;
  }
  throw new Error("expected the call to fail");
}

describe("grammY against the local Bot API server", () => {
  test("bot.init() gets the bot user from getMe", async () => {
    const bot = newBot();
    await bot.init();
    expect(bot.botInfo).toMatchObject({
      id: 123456,
      is_bot: true,
      username: "memory_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    });
    expect(server.bot).toEqual({
      id: 123456,
      is_bot: true,
      username: "memory_test_bot",
      first_name: "Memory Test Bot",
    });
    expect(server.calls.map((call) => call.method)).toEqual(["getMe"]);
  });

  test("long polling: a command arrives while getUpdates is held, the reply is sent, stop is prompt", async () => {
    const bot = newBot();
    const seen: string[] = [];
    bot.command("a", async (ctx) => {
      seen.push(ctx.match);
      await ctx.reply(`a: ${ctx.match}`, { reply_parameters: { message_id: ctx.msg.message_id } });
    });
    const polling = bot.start({ timeout: 30 });

    // The bot is now holding a 30 s long poll; an update must be answered at once.
    await server.waitFor((s) =>
      s.calls.some((c) => c.method === "getUpdates" && c.params.timeout === 30 && !c.response),
    );
    const queuedAt = Date.now();
    const question = server.sendUserMessage({ chatId: ann.id, from: ann, text: "/a hello" });
    const [answer] = await server.waitFor(
      (s) => s.sentMessages(ann.id).length === 1 && s.sentMessages(ann.id),
    );
    // Far under the 30 s poll: the update cut the long poll short.
    expect(Date.now() - queuedAt).toBeLessThan(5000);
    expect(answer).toMatchObject({
      message_id: question.message_id + 1,
      text: "a: hello",
      from: { id: 123456, is_bot: true, username: "memory_test_bot" },
      chat: { id: ann.id, type: "private", first_name: "Ann", username: "ann" },
      reply_to_message: { message_id: question.message_id, text: "/a hello" },
    });
    expect(answer!.date).toBeGreaterThan(Date.now() / 1000 - 60);

    // In a group: a command for another bot is ignored by grammY, ours is handled.
    const bo = { id: 7, first_name: "Bo" };
    server.sendUserMessage({
      chatId: -600,
      chatType: "group",
      from: bo,
      text: "/a@other_bot nope",
    });
    server.sendUserMessage({ chatId: -600, from: bo, text: "/a@memory_test_bot hi" });
    const [groupAnswer] = await server.waitFor(
      (s) => s.sentMessages(-600)[0] && s.sentMessages(-600),
    );
    expect(groupAnswer).toMatchObject({ text: "a: hi", chat: { id: -600, type: "group" } });
    expect(seen).toEqual(["hello", "hi"]);

    const stopAt = Date.now();
    await bot.stop();
    await polling;
    expect(Date.now() - stopAt).toBeLessThan(5000);
    // stop() confirmed every handled update with a final getUpdates offset.
    expect(server.pendingUpdates()).toEqual([]);
    expect(server.calls[0]?.method).toBe("getMe");
    expect(server.calls.map((c) => c.method)).toContain("deleteWebhook");
  });

  test("@grammyjs/runner: concurrent long polling delivers updates and stops promptly", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`runner: ${ctx.msg.text}`));
    const handle = run(bot);
    await server.waitFor((s) =>
      s.calls.some((c) => c.method === "getUpdates" && c.params.timeout === 30 && !c.response),
    );
    server.sendUserMessage({ chatId: ann.id, from: ann, text: "one" });
    server.sendUserMessage({ chatId: ann.id, from: ann, text: "two" });
    const texts = await server.waitFor(
      (s) => s.sentMessages(ann.id).length === 2 && s.sentMessages(ann.id).map((m) => m.text),
    );
    expect(texts?.sort()).toEqual(["runner: one", "runner: two"]);
    const stopAt = Date.now();
    await handle.stop();
    expect(Date.now() - stopAt).toBeLessThan(5000);
  });

  test("a 429 reaches grammY as a GrammyError with retry_after; auto-retry waits it out", async () => {
    openChat();
    const bot = newBot();
    server.failNext("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 2",
      retry_after: 2,
    });
    const error = await grammyError(bot.api.sendMessage(ann.id, "first"));
    expect(error.error_code).toBe(429);
    expect(error.description).toBe("Too Many Requests: retry after 2");
    expect(error.parameters.retry_after).toBe(2);
    expect(server.sentMessages()).toEqual([]);

    const retrying = newBot();
    retrying.api.config.use(autoRetry({ maxRetryAttempts: 3 }));
    server.failNext(
      "sendMessage",
      { error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 },
      1,
    );
    const sent = await retrying.api.sendMessage(ann.id, "second");
    expect(sent.text).toBe("second");
    const attempts = server.calls.filter((c) => c.method === "sendMessage").slice(-2);
    expect(attempts.map((c) => c.response?.ok)).toEqual([false, true]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
  });

  test("HTML parse mode: valid markup becomes entities, bad markup is a 400 with Telegram's wording", async () => {
    openChat();
    const bot = newBot();
    const sent = await bot.api.sendMessage(
      ann.id,
      '<b>bold</b> &lt;tag&gt; <a href="https://example.com/x">link</a> <i>it<u>u</u></i>',
      { parse_mode: "HTML" },
    );
    expect(sent.text).toBe("bold <tag> link itu");
    expect(sent.entities).toEqual([
      { type: "bold", offset: 0, length: 4 },
      { type: "text_link", offset: 11, length: 4, url: "https://example.com/x" },
      { type: "italic", offset: 16, length: 3 },
      { type: "underline", offset: 18, length: 1 },
    ]);

    const cases: Array<[string, string]> = [
      ["a <br> b", 'Unsupported start tag "br" at byte offset 2'],
      ["1 < 2", 'Unsupported start tag "" at byte offset 2'],
      ["<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
      ["<b>x", 'Can\'t find end tag corresponding to start tag "b"'],
      ["x</b>", "Unexpected end tag at byte offset 1"],
      ['<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
      ["é <p>", 'Unsupported start tag "p" at byte offset 3'],
    ];
    for (const [text, reason] of cases) {
      const error = await grammyError(bot.api.sendMessage(ann.id, text, { parse_mode: "HTML" }));
      expect(error.error_code).toBe(400);
      expect(error.description).toBe(`Bad Request: can't parse entities: ${reason}`);
    }
    // The same text without parse_mode is fine: nothing is parsed.
    const plain = await bot.api.sendMessage(ann.id, "a <br> b");
    expect(plain.text).toBe("a <br> b");
    expect(plain.entities).toBeUndefined();
  });

  test("HTML parser follows TDLib on text, attributes and pre/code", () => {
    expect(parseHtml("&lt;&gt;&amp;&quot;&#33;&#x41;&#X1F600;\"'")).toEqual({
      text: '<>&"!A😀"\'',
      entities: [],
    });
    expect(parseHtml("<b></b>x")).toEqual({ text: "x", entities: [] });
    expect(parseHtml("🏟 <i>🏟 &lt;</i>").entities).toEqual([
      { type: "italic", offset: 3, length: 4 },
    ]);
    expect(parseHtml("<i>a</>").entities).toEqual([{ type: "italic", offset: 0, length: 1 }]);
    expect(parseHtml('<pre><code class="language-ts">x</code></pre>').entities).toEqual([
      { type: "pre", offset: 0, length: 1, language: "ts" },
    ]);
    expect(parseHtml("<pre><code>x</code></pre>").entities).toEqual([
      { type: "pre", offset: 0, length: 1 },
      { type: "code", offset: 0, length: 1 },
    ]);
    expect(parseHtml('<a href="https://e.x/?a=1&amp;b=2">t</a>').entities).toEqual([
      { type: "text_link", offset: 0, length: 1, url: "https://e.x/?a=1&b=2" },
    ]);
    expect(parseHtml("<a href=telegram.org>t</a>").entities).toEqual([
      { type: "text_link", offset: 0, length: 1, url: "http://telegram.org/" },
    ]);
    expect(parseHtml("<a>telegram.org </a>").entities).toEqual([]);
    expect(
      parseHtml("<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>").entities,
    ).toEqual([
      { type: "expandable_blockquote", offset: 0, length: 1 },
      { type: "spoiler", offset: 1, length: 1 },
    ]);
    expect(error("🏟 🏟&lt;<abacaba")).toBe("Unclosed start tag at byte offset 13");
    expect(error("🏟 🏟&lt;<i   =aba>")).toBe(
      'Empty attribute name in the tag "i" at byte offset 13',
    );
    expect(error("🏟 🏟&lt;<i    aba>")).toBe('Can\'t find end tag corresponding to start tag "i"');
    expect(error("🏟 🏟&lt;<i    aba  =  190azAz-.,")).toBe(
      "Unexpected end of name token at byte offset 27",
    );
    expect(error("🏟 🏟&lt;<i>a</i   ")).toBe("Unclosed end tag at byte offset 17");
  });

  test("HTML parser holds to the documented rules where TDLib guesses: escaping and entities", () => {
    // TDLib keeps these as text; the Bot API says to escape them and names the entities it has.
    expect(error("a > b")).toBe('Character ">" at byte offset 2 must be written as "&gt;"');
    expect(error("AT&T")).toBe(
      'Unsupported HTML entity "&T" at byte offset 2: only &lt; &gt; &amp; &quot; and numeric entities, ending in ";", are supported',
    );
    expect(error("a & b")).toBe('Character "&" at byte offset 2 must be written as "&amp;"');
    expect(error("x &ge; y")).toBe(
      'Unsupported HTML entity "&ge;" at byte offset 2: only &lt; &gt; &amp; &quot; and numeric entities, ending in ";", are supported',
    );
    expect(error("🏟 &lt")).toBe(
      'Unsupported HTML entity "&lt" at byte offset 5: only &lt; &gt; &amp; &quot; and numeric entities, ending in ";", are supported',
    );
    expect(error("&#33 &#x;")).toBe(
      'Invalid numeric HTML entity "&#33 " at byte offset 0: write &#N; or &#xH; with a valid code point',
    );
    expect(error("&#0;")).toMatch(/^Invalid numeric HTML entity "&#0;"/);
    expect(error("&#1114112;")).toMatch(/^Invalid numeric HTML entity/);
    expect(error("&#xD800;")).toMatch(/unmatched surrogate/);
    expect(error('<a href="https://e.x/?a=1&b=2">t</a>')).toMatch(
      /^Unsupported HTML entity "&b" at byte offset 25/,
    );
  });

  test("HTML parser holds to the documented rules where TDLib repairs: nesting", () => {
    const cannot = (tag: string, parent: string, at: number, reason: string) =>
      `Tag "${tag}" at byte offset ${at} can't be inside "${parent}": ${reason}`;
    const inCode = "pre and code can't contain other entities";
    const codeOutside = "pre and code can be inside a block quote only";
    const inLink = "links and custom emoji can't contain links, custom emoji or block quotes";
    expect(error("<code><i>x</i></code>")).toBe(cannot("i", "code", 6, inCode));
    expect(error("<pre>a<code>x</code></pre>")).toBe(cannot("code", "pre", 6, inCode));
    expect(error('<pre><code class="language-ts">x</code>y</pre>')).toBe(
      'Text after "</code>" inside "pre" at byte offset 39: pre and code can\'t contain other entities',
    );
    expect(error("<b>x <code>y</code></b>")).toBe(cannot("code", "b", 5, codeOutside));
    expect(error('<a href="https://e.x/">x <code>y</code></a>')).toBe(
      cannot("code", "a", 25, codeOutside),
    );
    expect(error("<i><pre>y</pre></i>")).toBe(cannot("pre", "i", 3, codeOutside));
    expect(error('<a href="https://e.x/"><a href="https://e.y/">x</a></a>')).toBe(
      cannot("a", "a", 23, "an entity can't contain another of its type"),
    );
    expect(error('<a href="https://e.x/"><blockquote>x</blockquote></a>')).toBe(
      cannot("blockquote", "a", 23, inLink),
    );
    expect(error("<blockquote>a<blockquote>b</blockquote></blockquote>")).toBe(
      cannot("blockquote", "blockquote", 13, "an entity can't contain another of its type"),
    );
    expect(error("<b>a <strong>b</strong></b>")).toBe(
      cannot("strong", "b", 5, "an entity can't contain another of its type"),
    );
    // What the rules allow: splittable entities in and around anything but code; code and
    // pre (with its language) inside a block quote; links inside bold and bold inside links.
    expect(
      parseHtml(
        '<blockquote><b>a <i>b</i> <a href="https://e.x/">c <s>d</s></a></b> <code>e</code>' +
          '<pre><code class="language-py">f</code></pre></blockquote>',
      ).entities.map((e) => e.type),
    ).toEqual(["blockquote", "bold", "italic", "text_link", "strikethrough", "code", "pre"]);
  });

  test("text limits: empty and over-long texts are rejected, 4096 characters pass", async () => {
    openChat();
    const bot = newBot();
    for (const text of ["", "   \n "]) {
      const error = await grammyError(bot.api.sendMessage(ann.id, text));
      expect(error.description).toBe("Bad Request: message text is empty");
    }
    const tooLong = await grammyError(bot.api.sendMessage(ann.id, "x".repeat(4097)));
    expect(tooLong.error_code).toBe(400);
    expect(tooLong.description).toBe("Bad Request: message is too long");
    expect((await bot.api.sendMessage(ann.id, "x".repeat(4096))).text).toHaveLength(4096);
    // Counted after entity parsing: markup does not count.
    const html = await bot.api.sendMessage(ann.id, `<b>${"y".repeat(4096)}</b>`, {
      parse_mode: "HTML",
    });
    expect(html.text).toHaveLength(4096);
    // Leading and trailing whitespace is trimmed, as Telegram does.
    expect((await bot.api.sendMessage(ann.id, "  spaced \n")).text).toBe("spaced");
  });

  test("sendMessageDraft: private chats only, a non-zero draft_id, 0-4096 characters after parsing", async () => {
    openChat();
    server.sendUserMessage({ chatId: -100777, from: ann, text: "hello group" });
    const bot = newBot();
    expect(
      await bot.api.sendMessageDraft(ann.id, 7, "<b>Half</b> an ans", { parse_mode: "HTML" }),
    ).toBe(true);
    expect(await bot.api.sendMessageDraft(ann.id, 7, "")).toBe(true);
    expect(server.drafts(ann.id)).toMatchObject([
      { draft_id: 7, text: "Half an ans", entities: [{ type: "bold", offset: 0, length: 4 }] },
      { draft_id: 7, text: "", entities: [] },
    ]);
    const group = await grammyError(bot.api.sendMessageDraft(-100777, 7, "hi"));
    expect(group.description).toBe("Bad Request: message drafts can be sent only to private chats");
    const zero = await grammyError(bot.api.sendMessageDraft(ann.id, 0, "hi"));
    expect(zero.description).toBe("Bad Request: draft_id must be non-zero");
    const long = await grammyError(bot.api.sendMessageDraft(ann.id, 7, "x".repeat(4097)));
    expect(long.description).toBe("Bad Request: message is too long");
    const html = await grammyError(
      bot.api.sendMessageDraft(ann.id, 7, "<b>open", { parse_mode: "HTML" }),
    );
    expect(html.description).toMatch(/^Bad Request: can't parse entities/);
    // Refused drafts are not recorded; a draft is not a message.
    expect(server.drafts(ann.id)).toHaveLength(2);
    expect(server.sentMessages(ann.id)).toEqual([]);
  });

  test("commands and mentions in user messages carry Telegram's entities", () => {
    const entities = (text: string) =>
      server.sendUserMessage({ chatId: -700, chatType: "supergroup", from: ann, text }).entities;
    expect(entities("/a hello")).toEqual([{ type: "bot_command", offset: 0, length: 2 }]);
    expect(entities("/a@memory_test_bot hi")).toEqual([
      { type: "bot_command", offset: 0, length: 18 },
    ]);
    expect(entities("hi /start")).toEqual([{ type: "bot_command", offset: 3, length: 6 }]);
    expect(entities("hey @memory_test_bot")).toEqual([{ type: "mention", offset: 4, length: 16 }]);
    expect(entities("a/b /c/d 1/2")).toBeUndefined();
    expect(entities("plain words")).toBeUndefined();
    const caption = server.sendUserMessage({ chatId: -700, from: ann, caption: "/a look" });
    expect(caption.photo).toHaveLength(2);
    expect(caption.caption_entities).toEqual([{ type: "bot_command", offset: 0, length: 2 }]);
    const sticker = server.sendUserMessage({ chatId: -700, from: ann, sticker: true });
    expect(sticker.sticker).toMatchObject({ type: "regular", emoji: "👍" });
    expect(sticker.text).toBeUndefined();
  });

  test("replies: reply_to_message is the full replied message without its own reply", async () => {
    const first = openChat();
    const bot = newBot();
    const answer = await bot.api.sendMessage(ann.id, "answer", {
      reply_parameters: { message_id: first.message_id },
    });
    expect(answer.reply_to_message?.message_id).toBe(first.message_id);

    const followUp = server.sendUserMessage({
      chatId: ann.id,
      from: ann,
      text: "and then?",
      replyTo: server.sentMessages(ann.id)[0],
    });
    const { reply_to_message: _nested, ...answerWithoutReply } = answer as unknown as Message;
    expect(followUp.reply_to_message).toEqual(answerWithoutReply);
    expect(followUp.message_id).toBe(answer.message_id + 1);

    const missing = await grammyError(
      bot.api.sendMessage(ann.id, "x", { reply_parameters: { message_id: 999 } }),
    );
    expect(missing.description).toBe("Bad Request: message to be replied not found");
    const without = await bot.api.sendMessage(ann.id, "x", {
      reply_parameters: { message_id: 999, allow_sending_without_reply: true },
    });
    expect(without.reply_to_message).toBeUndefined();
    const unknownChat = await grammyError(bot.api.sendMessage(999_999, "x"));
    expect(unknownChat.description).toBe("Bad Request: chat not found");
  });

  test("forum topics: a reply lands in its target's topic; a thread id outside a forum is a 400", async () => {
    const forum = -1001234567890;
    const question = server.sendUserMessage({
      chatId: forum,
      from: ann,
      text: "/a hi",
      topicId: 5,
    });
    expect(question).toMatchObject({ message_thread_id: 5, is_topic_message: true });
    expect(question.chat).toMatchObject({ type: "supergroup", is_forum: true });
    const bot = newBot();
    const reply = await bot.api.sendMessage(forum, "answer", {
      reply_parameters: { message_id: question.message_id },
    });
    expect(reply).toMatchObject({ message_thread_id: 5, is_topic_message: true });
    // The replied message is gone: only message_thread_id keeps the answer in the topic.
    const gone = { message_id: 999, allow_sending_without_reply: true };
    const lost = await bot.api.sendMessage(forum, "x", { reply_parameters: gone });
    expect(lost.message_thread_id).toBeUndefined();
    const kept = await bot.api.sendMessage(forum, "x", {
      message_thread_id: 5,
      reply_parameters: gone,
    });
    expect(kept.message_thread_id).toBe(5);
    expect(await bot.api.sendChatAction(forum, "typing", { message_thread_id: 5 })).toBe(true);

    openChat();
    const notForum = await grammyError(
      bot.api.sendChatAction(ann.id, "typing", { message_thread_id: 5 }),
    );
    expect(notForum.description).toBe("Bad Request: message thread not found");
  });

  test("forum topics: the topic's root is a forum_topic_created message every plain message in it replies to", async () => {
    const forum = -1001234567891;
    server.sendUserMessage({ chatId: forum, from: ann, text: "hello", chatType: "supergroup" });
    const bot = newBot();
    const notYet = await grammyError(bot.api.createForumTopic(forum, "x"));
    expect(notYet.description).toBe("Bad Request: the chat is not a forum");
    // A member's topic (the chat becomes a forum): its root is an update the bot receives.
    const memberRoot = server.createForumTopic(forum, "Ann's topic", ann);
    expect(memberRoot).toMatchObject({
      message_id: 2,
      message_thread_id: 2,
      is_topic_message: true,
      from: { id: ann.id },
      forum_topic_created: { name: "Ann's topic" },
    });
    const created = await bot.api.createForumTopic(forum, "Bot's topic");
    expect(created).toEqual({ message_thread_id: 3, name: "Bot's topic", icon_color: 0x6fb9f0 });
    // The bot's own topic root is no update: only the members' messages are pending.
    expect(server.pendingUpdates().map((u) => (u.message as Message).message_id)).toEqual([1, 2]);

    const plain = server.sendUserMessage({ chatId: forum, from: ann, text: "hi", topicId: 3 });
    expect(plain).toMatchObject({ message_thread_id: 3, is_topic_message: true });
    expect(plain.reply_to_message).toMatchObject({
      message_id: 3,
      from: { id: server.bot.id },
      forum_topic_created: { name: "Bot's topic" },
    });
    const answer = await bot.api.sendMessage(forum, "answer", { message_thread_id: 2 });
    expect(answer.reply_to_message).toMatchObject({ message_id: 2, forum_topic_created: {} });
    // An explicit reply keeps its target.
    const reply = server.sendUserMessage({
      chatId: forum,
      from: ann,
      text: "thanks",
      topicId: 2,
      replyTo: answer as Message,
    });
    expect(reply.reply_to_message?.message_id).toBe(answer.message_id);

    const refused = await grammyError(bot.api.createForumTopic(ann.id, "x"));
    expect(refused.description).toBe("Bad Request: chat not found");
  });

  test("a group upgraded to a supergroup: service messages on both ids, the old id refused", async () => {
    const group = -4001;
    server.sendUserMessage({ chatId: group, from: ann, text: "hello" });
    const supergroup = server.migrateGroup(group, ann);
    expect(supergroup).toBeLessThan(-1_000_000_000_000);
    const messages = server.pendingUpdates().map((u) => u.message as Message);
    expect(messages.at(-2)).toMatchObject({ chat: { id: group }, migrate_to_chat_id: supergroup });
    expect(messages.at(-1)).toMatchObject({
      chat: { id: supergroup, type: "supergroup" },
      migrate_from_chat_id: group,
    });
    const bot = newBot();
    const refused = await grammyError(bot.api.sendMessage(group, "x"));
    expect(refused.description).toBe("Bad Request: group chat was upgraded to a supergroup chat");
    expect(refused.parameters.migrate_to_chat_id).toBe(supergroup);
    expect((await bot.api.sendMessage(supergroup, "x")).chat.id).toBe(supergroup);
  });

  test("failWhen: HTML sends fail, the plain retry goes through", async () => {
    openChat();
    const bot = newBot();
    server.failWhen("sendMessage", (params) => params.parse_mode === "HTML", {
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
    });
    const error = await grammyError(
      bot.api.sendMessage(ann.id, "<b>ok</b>", { parse_mode: "HTML" }),
    );
    expect(error.description).toContain("can't parse entities");
    expect((await bot.api.sendMessage(ann.id, "ok")).text).toBe("ok");
    server.clearFailures("sendMessage");
    expect(
      (await bot.api.sendMessage(ann.id, "<b>ok</b>", { parse_mode: "HTML" })).entities,
    ).toEqual([{ type: "bold", offset: 0, length: 2 }]);
  });

  test("sendChatAction, setMyCommands, webhook methods, editMessageText", async () => {
    openChat();
    const bot = newBot();
    expect(await bot.api.sendChatAction(ann.id, "typing")).toBe(true);
    await bot.api.setMyCommands([{ command: "a", description: "ask the agent" }]);
    expect(await bot.api.getMyCommands()).toEqual([{ command: "a", description: "ask the agent" }]);
    expect(await bot.api.deleteWebhook()).toBe(true);
    expect((await bot.api.getWebhookInfo()).url).toBe("");
    expect(await bot.api.close()).toBe(true);
    expect(await bot.api.logOut()).toBe(true);
    const sent = await bot.api.sendMessage(ann.id, "draft");
    const edited = await bot.api.editMessageText(ann.id, sent.message_id, "final");
    expect(edited).toMatchObject({ message_id: sent.message_id, text: "final" });
    expect(server.sentMessages(ann.id).map((m) => m.text)).toEqual(["final"]);
  });

  test("waitFor rejects after its timeout, listing the calls seen", async () => {
    openChat();
    await api("sendChatAction", { chat_id: ann.id, action: "typing" });
    await expect(server.waitFor((s) => s.sentMessages().length > 0, 100)).rejects.toThrow(
      /timed out after 100 ms; calls seen:\n {2}sendChatAction \{"chat_id":501,"action":"typing"\} -> ok/,
    );
  });
});

describe("wire format", () => {
  test("wrong token is 401, unknown method and unknown path are 404", async () => {
    expect(await rawCall("/bot123:WRONG/getMe")).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: "Unauthorized" },
    });
    expect(await api("sendTelepathy")).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: "Not Found" },
    });
    expect((await rawCall("/whatever")).status).toBe(404);
    expect(server.calls.map((c) => c.method)).toEqual(["sendTelepathy"]);
  });

  test("errors carry parameters.retry_after and the HTTP status equals error_code", async () => {
    server.failNext("getMe", {
      error_code: 429,
      description: "Too Many Requests: retry after 7",
      retry_after: 7,
    });
    expect(await api("getMe")).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 7",
        parameters: { retry_after: 7 },
      },
    });
    expect((await api("getMe")).body.ok).toBe(true);
  });

  test("urlencoded bodies and query strings work like JSON", async () => {
    openChat();
    const form = await rawCall(`/bot${server.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        chat_id: String(ann.id),
        text: "<b>hi</b>",
        parse_mode: "HTML",
        reply_parameters: JSON.stringify({ message_id: 1 }),
      }).toString(),
    });
    expect(form.body.result).toMatchObject({
      text: "hi",
      entities: [{ type: "bold", offset: 0, length: 2 }],
      reply_to_message: { message_id: 1 },
    });
    const query = await rawCall(`/bot${server.token}/getUpdates?offset=-1&timeout=0`);
    expect(query.body.result).toHaveLength(1);
  });

  test("getUpdates: offset confirms, negative offset, limit, allowed_updates", async () => {
    const first = server.pushUpdate({
      message: { message_id: 1, date: 0, chat: { id: 1, type: "private" }, text: "a" },
    });
    server.pushUpdate({
      edited_message: {
        message_id: 1,
        date: 0,
        edit_date: 1,
        chat: { id: 1, type: "private" },
        text: "b",
      },
    });
    server.pushUpdate({ message_reaction: { chat: { id: 1, type: "private" }, message_id: 1 } });
    server.pushUpdate({
      message: { message_id: 2, date: 0, chat: { id: 1, type: "private" }, text: "c" },
    });
    const ids = async (params: Record<string, unknown>) =>
      ((await api("getUpdates", params)).body.result as Array<{ update_id: number }>).map(
        (u) => u.update_id,
      );

    // message_reaction is not delivered unless asked for by allowed_updates.
    expect(await ids({ limit: 2 })).toEqual([first, first + 1]);
    expect(await ids({ offset: first + 1 })).toEqual([first + 1, first + 3]);
    expect(await ids({})).toEqual([first + 1, first + 3]);
    expect(await ids({ offset: -1 })).toEqual([first + 3]);
    expect(await ids({ offset: first + 4 })).toEqual([]);
    const only = server.pushUpdate({
      edited_message: { message_id: 2, date: 0, chat: { id: 1, type: "private" }, text: "d" },
    });
    server.pushUpdate({
      message: { message_id: 3, date: 0, chat: { id: 1, type: "private" }, text: "e" },
    });
    expect(await ids({ allowed_updates: ["message"] })).toEqual([only + 1]);
  });

  test("a held long poll answers on a new update, a second poller gets 409, close() ends it", async () => {
    const local = server;
    const held = api("getUpdates", { timeout: 30 });
    await local.waitFor((s) => s.calls.some((c) => c.method === "getUpdates" && !c.response));
    const second = api("getUpdates", { timeout: 30 });
    expect(await held).toMatchObject({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      },
    });
    const id = local.pushUpdate({
      message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "x" },
    });
    expect((await second).body.result.map((u: { update_id: number }) => u.update_id)).toEqual([id]);

    const third = api("getUpdates", { offset: id + 1, timeout: 30 });
    await local.waitFor(
      (s) => s.calls.filter((c) => c.method === "getUpdates" && !c.response).length === 1,
    );
    const closeAt = Date.now();
    await local.close();
    expect(await third).toEqual({ status: 200, body: { ok: true, result: [] } });
    expect(Date.now() - closeAt).toBeLessThan(5000);
  });

  test("getUpdates is refused while a webhook is set", async () => {
    expect((await api("setWebhook", { url: "https://example.com/hook" })).body.result).toBe(true);
    expect((await api("getWebhookInfo")).body.result.url).toBe("https://example.com/hook");
    expect(await api("getUpdates")).toMatchObject({
      status: 409,
      body: {
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      },
    });
    await api("deleteWebhook", { drop_pending_updates: true });
    expect((await api("getUpdates")).body).toEqual({ ok: true, result: [] });
  });
});
