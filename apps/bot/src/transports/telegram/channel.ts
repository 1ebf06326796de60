import type { Api } from "grammy";
import type { Channel } from "../../send-reply";

/**
 * Where the bot answers, through `api`. `topicId` is the forum topic the message came from: the
 * answer, an apology and "typing…" go there too (without it, Telegram shows "typing…" in General,
 * and a reply whose message was deleted lands in General). With `drafts` (a private chat, where
 * Telegram takes them), the answer can be shown while it is written.
 */
export function telegramChannel(
  api: Api,
  topicId?: number,
  options: { drafts?: boolean } = {},
): Channel {
  const topic = topicId === undefined ? {} : { message_thread_id: topicId };
  const drafts: Pick<Channel, "sendDraft"> = options.drafts
    ? {
        async sendDraft(chatId, draftId, text, draftOptions, signal) {
          await api.sendMessageDraft(
            chatId,
            draftId,
            text,
            { ...topic, ...(draftOptions.parseMode ? { parse_mode: draftOptions.parseMode } : {}) },
            // grammY types its signal with the abort-controller shim; Node's is the same object.
            signal as Parameters<Api["sendMessageDraft"]>[4],
          );
        },
      }
    : {};
  return {
    ...drafts,
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
