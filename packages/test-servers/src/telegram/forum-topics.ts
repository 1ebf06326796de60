/** Forum topics as Telegram keeps them: a topic is a `forum_topic_created` service message
 * whose id is the topic's thread id, and a message in the topic that replies to nothing else
 * carries that root as `reply_to_message`. */

import { badRequest } from "./api-error";
import { type ChatState, clone, type TelegramState } from "./state";
import type { Message, User } from "./types";

/** The colours Telegram allows for a topic's icon; the first is its default. */
export const TOPIC_ICON_COLORS = [
  0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f,
] as const;

/**
 * Creates a topic in a forum chat: its root message from `creator`, stored in the chat under
 * the next message id, which becomes the topic's thread id. Returns the root.
 */
export function createTopic(
  state: TelegramState,
  chat: ChatState,
  creator: User,
  name: string,
  iconColor: number = TOPIC_ICON_COLORS[0],
): Message {
  if (!chat.chat.is_forum) throw badRequest("the chat is not a forum");
  if (name.length < 1 || name.length > 128) throw badRequest("TOPIC_NAME_INVALID");
  if (!(TOPIC_ICON_COLORS as readonly number[]).includes(iconColor)) {
    throw badRequest("TOPIC_ICON_COLOR_INVALID");
  }
  const threadId = chat.nextMessageId;
  const root: Message = {
    message_id: threadId,
    from: { ...creator },
    chat: { ...chat.chat },
    date: Math.floor(Date.now() / 1000),
    message_thread_id: threadId,
    is_topic_message: true,
    forum_topic_created: { name, icon_color: iconColor },
  };
  state.storeMessage(chat, root);
  chat.topics.set(threadId, root);
  return clone(root);
}

/**
 * Puts `message` in topic `threadId`; when it replies to nothing else and the topic has a
 * root, Telegram makes it a reply to the root.
 */
export function placeInTopic(
  state: TelegramState,
  chat: ChatState,
  message: Message,
  threadId: number,
): void {
  message.message_thread_id = threadId;
  message.is_topic_message = true;
  const root = chat.topics.get(threadId);
  if (root && !message.reply_to_message) message.reply_to_message = state.replyTarget(chat, root);
}
