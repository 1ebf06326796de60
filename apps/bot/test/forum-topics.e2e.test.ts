import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { ann, bob, repliesTo, transcript, turns } from "./support/transcript";

describe("forum topics: a topic's root is never a reply that continues a conversation", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  beforeAll(async () => {
    [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
    bot = await startBot(tg, ai, { LOG_LEVEL: "debug" });
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.close(), ai?.close()]);
  });

  test("in a topic the bot's account created, members chatting get no answers; /a and replies to the bot work", async () => {
    const chat = -1002000000001;
    const memberTopic = tg.createForumTopic(chat, "Members' topic", bob);
    const botTopic = tg.createForumTopic(chat, "Announcements");
    const topicId = botTopic.message_thread_id!;
    expect(botTopic.from?.id).toBe(tg.bot.id);

    const chatter = [
      tg.sendUserMessage({ chatId: chat, from: ann, text: "hi Bob", topicId }),
      tg.sendUserMessage({ chatId: chat, from: bob, text: "hi Ann", topicId }),
    ];
    // Telegram makes each of them a reply to the topic's root, a message of the bot's account.
    for (const message of chatter) {
      expect(message.reply_to_message).toMatchObject({
        message_id: topicId,
        from: { id: tg.bot.id },
      });
      expect(await t().ignored(message)).toBe("no command");
    }

    const asked = await t().turn(chat, "/a what is a topic?", { topicId });
    expect(asked.answer).toMatchObject({ message_thread_id: topicId, is_topic_message: true });
    expect(turns(asked.requests[0])).toEqual(["user:Ann(ann): what is a topic?"]);
    expect(asked.log.parent_key).toBeUndefined();

    // An explicit reply to the bot's answer in that topic still continues the conversation.
    const next = await t().turn(chat, "and then?", { from: bob, topicId, replyTo: asked.answer });
    expect(turns(next.requests[0])).toEqual([
      "user:Ann(ann): what is a topic?",
      "assistant:echo: Ann(ann): what is a topic?",
      "user:Bob: and then?",
    ]);

    // In a member's topic the same chatter is ignored the same way.
    const elsewhere = tg.sendUserMessage({
      chatId: chat,
      from: ann,
      text: "anyone here?",
      topicId: memberTopic.message_thread_id!,
    });
    expect(await t().ignored(elsewhere)).toBe("no command");
    for (const message of chatter) expect(repliesTo(tg, message)).toHaveLength(0);
    expect(ai.requests).toHaveLength(2);
  });
});
