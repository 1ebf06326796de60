import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Channel, sendReply } from "../../src/send-reply";
import { MODEL_ANSWERS } from "../__fixtures__/model-answers";

/**
 * Each model answer goes through the bot's send path (sendReply, HTML mode) and grammY to the
 * local Bot API server, which parses the HTML as Telegram does; the messages it stores are what
 * the reader sees.
 */
describe("model answers, as a Telegram reader sees them", () => {
  let tg: TelegramServer;
  let bot: Bot;
  let channel: Channel;

  beforeAll(async () => {
    tg = await startTelegramServer();
    bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    channel = {
      async sendMessage(chatId, text, { parseMode }) {
        const sent = await bot.api.sendMessage(
          chatId,
          text,
          parseMode ? { parse_mode: parseMode } : {},
        );
        return sent.message_id;
      },
      async sendTyping() {},
    };
  });

  afterAll(async () => {
    await tg?.close();
  });

  test.each(MODEL_ANSWERS.map((answer, index) => ({ ...answer, chatId: 7000 + index })))(
    "$name",
    async ({ markdown, text, links, chatId }) => {
      tg.sendUserMessage({ chatId, from: { id: chatId, first_name: "Ann" }, text: "/a" });
      await sendReply(channel, markdown, { chatId, parseMode: "html" });

      const messages = tg.sentMessages(chatId);
      expect(messages.map((m) => m.text)).toEqual(typeof text === "string" ? [text] : text);
      const shownLinks = messages.flatMap((m) =>
        (m.entities ?? [])
          .filter((e) => e.type === "text_link")
          .map((e) => [m.text!.slice(e.offset, e.offset + e.length), e.url]),
      );
      expect(shownLinks).toEqual(links ?? []);
      // Every part went out as HTML and Telegram took it: no plain-text fallback.
      const sends = tg.calls.filter(
        (c) => c.method === "sendMessage" && c.params.chat_id === chatId,
      );
      expect(sends.map((c) => [c.params.parse_mode, c.response?.ok])).toEqual(
        messages.map(() => ["HTML", true]),
      );
    },
  );

  test("the corpus covers what the issue lists", () => {
    expect(MODEL_ANSWERS.length).toBeGreaterThanOrEqual(40);
    const longest = Math.max(...MODEL_ANSWERS.map((a) => a.markdown.length));
    expect(longest).toBeGreaterThanOrEqual(6000);
  });
});
