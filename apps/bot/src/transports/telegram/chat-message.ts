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
    from: sender,
    text: message.text ?? message.caption,
    entities: message.entities ?? message.caption_entities,
    replyTo:
      depth === 0 && message.reply_to_message
        ? toChatMessage(message.reply_to_message as Message, 1)
        : undefined,
  };
}

function chatTitle(chat: { title?: string; first_name?: string }): string {
  return chat.title ?? chat.first_name ?? "Unknown";
}
