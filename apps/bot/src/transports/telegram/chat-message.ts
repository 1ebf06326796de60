import type { Message } from "grammy/types";
import type { ChatMessage, ChatUser } from "../../message-text";

/** A grammY message as the transport-independent shape. */
export function toChatMessage(message: Message, depth = 0): ChatMessage {
  const sender: ChatUser | undefined = message.sender_chat
    ? { id: message.sender_chat.id, isBot: false, firstName: chatTitle(message.sender_chat) }
    : message.from
      ? {
          id: message.from.id,
          isBot: message.from.is_bot,
          firstName: message.from.first_name,
          username: message.from.username,
        }
      : undefined;
  return {
    messageId: message.message_id,
    chatId: message.chat.id,
    date: message.date,
    from: sender,
    text: message.text ?? message.caption,
    entities: message.entities ?? message.caption_entities,
    replyTo:
      depth === 0 && message.reply_to_message && !repliesToTopicRoot(message)
        ? toChatMessage(message.reply_to_message as Message, 1)
        : undefined,
  };
}

/**
 * True when the message "replies" to its forum topic's root: Telegram gives every message in a
 * topic that replies to nothing else `reply_to_message` = the topic's `forum_topic_created`
 * message (whose id is the topic's thread id). That is where the message was posted, not a
 * reply: were the topic created by the bot's account, it would pass for a reply to the bot.
 */
export function repliesToTopicRoot(message: Message): boolean {
  const replied = message.reply_to_message;
  if (!replied) return false;
  if (replied.forum_topic_created !== undefined) return true;
  return message.is_topic_message === true && replied.message_id === message.message_thread_id;
}

function chatTitle(chat: { title?: string; first_name?: string }): string {
  return chat.title ?? chat.first_name ?? "Unknown";
}
