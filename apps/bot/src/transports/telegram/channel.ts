import type { Api } from "grammy";
import type { Channel } from "../../send-reply";

/**
 * Where the bot answers, through `api`. `topicId` is the forum topic the message came from: the
 * answer, an apology and "typing…" go there too (without it, Telegram shows "typing…" in General,
 * and a reply whose message was deleted lands in General).
 */
export function telegramChannel(api: Api, topicId?: number): Channel {
  const topic = topicId === undefined ? {} : { message_thread_id: topicId };
  return {
    async sendMessage(chatId, text, options) {
      const sent = await api.sendMessage(chatId, text, {
        ...topic,
        ...(options.parseMode ? { parse_mode: options.parseMode } : {}),
        ...(options.replyToMessageId
          ? {
              reply_parameters: {
                message_id: options.replyToMessageId,
                allow_sending_without_reply: true,
              },
            }
          : {}),
      });
      return sent.message_id;
    },
    async sendTyping(chatId) {
      await api.sendChatAction(chatId, "typing", topic);
    },
  };
}
