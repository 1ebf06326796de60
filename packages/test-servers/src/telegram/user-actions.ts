/** What the test does as Telegram's users: a user's message (text, photo with caption,
 * sticker, reply, forum topic) and a group's upgrade to a supergroup, queued as updates. */

import { detectEntities } from "./entities";
import { createTopic, placeInTopic } from "./forum-topics";
import { type ChatState, clone, type TelegramState } from "./state";
import type { Chat, Message, SendUserMessageInput, User } from "./types";

function defaultChat(input: SendUserMessageInput): Chat {
  const type =
    input.chatType ??
    (input.chatId > 0 ? "private" : input.chatId <= -1_000_000_000_000 ? "supergroup" : "group");
  if (type === "private") {
    return {
      id: input.chatId,
      type,
      first_name: input.from.first_name,
      ...(input.from.last_name ? { last_name: input.from.last_name } : {}),
      ...(input.from.username ? { username: input.from.username } : {}),
    };
  }
  return { id: input.chatId, type, title: `Test ${type} ${input.chatId}` };
}

function toUser(input: SendUserMessageInput["from"]): User {
  return {
    id: input.id,
    is_bot: input.is_bot ?? false,
    first_name: input.first_name,
    ...(input.last_name ? { last_name: input.last_name } : {}),
    ...(input.username ? { username: input.username } : {}),
  };
}

export function sendUserMessage(state: TelegramState, input: SendUserMessageInput): Message {
  if (input.text === undefined && input.caption === undefined && !input.sticker) {
    throw new Error("sendUserMessage needs text, caption or sticker: true");
  }
  const existing = state.chats.get(input.chatId);
  const chat =
    existing && (!input.chatType || existing.chat.type === input.chatType)
      ? existing
      : state.registerChat(defaultChat(input));
  if (input.chatType && chat.chat.type !== input.chatType) chat.chat.type = input.chatType;
  const from = toUser(input.from);
  const message: Message = {
    message_id: chat.nextMessageId,
    from,
    chat: { ...chat.chat },
    date: Math.floor(Date.now() / 1000),
  };
  if (input.replyTo) message.reply_to_message = state.replyTarget(chat, input.replyTo);
  if (input.topicId !== undefined) {
    makeForum(chat);
    message.chat = { ...chat.chat };
    placeInTopic(state, chat, message, input.topicId);
  }
  if (input.sticker) {
    message.sticker = {
      file_id: `sticker-${chat.chat.id}-${message.message_id}`,
      file_unique_id: `us${chat.chat.id}${message.message_id}`,
      type: "regular",
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: "👍",
      file_size: 20480,
    };
  } else if (input.caption !== undefined) {
    message.photo = [
      {
        file_id: `photo-${chat.chat.id}-${message.message_id}-s`,
        file_unique_id: `ups${chat.chat.id}${message.message_id}`,
        width: 90,
        height: 90,
        file_size: 1200,
      },
      {
        file_id: `photo-${chat.chat.id}-${message.message_id}-m`,
        file_unique_id: `upm${chat.chat.id}${message.message_id}`,
        width: 800,
        height: 800,
        file_size: 64000,
      },
    ];
  }
  if (input.caption !== undefined && !input.sticker) {
    message.caption = input.caption;
    const entities = detectEntities(input.caption);
    if (entities.length > 0) message.caption_entities = entities;
  }
  if (input.text !== undefined && !input.sticker && input.caption === undefined) {
    message.text = input.text;
    const entities = detectEntities(input.text);
    if (entities.length > 0) message.entities = entities;
  }
  state.storeMessage(chat, message);
  state.queueUpdate({ message: clone(message) });
  return clone(message);
}

/** See TelegramServer.migrateGroup. */
export function migrateGroup(
  state: TelegramState,
  chatId: number,
  input: SendUserMessageInput["from"],
): number {
  const group = state.chats.get(chatId);
  if (group?.chat.type !== "group") throw new Error(`${chatId} is not a known group`);
  const newId = state.nextSupergroupId--;
  const supergroup = state.registerChat({ ...group.chat, id: newId, type: "supergroup" });
  const service = (chat: ChatState, fields: Partial<Message>) =>
    // queueUpdate stores the message in its chat.
    state.queueUpdate({
      message: {
        message_id: chat.nextMessageId,
        from: toUser(input),
        chat: { ...chat.chat },
        date: Math.floor(Date.now() / 1000),
        ...fields,
      },
    });
  service(group, { migrate_to_chat_id: newId });
  service(supergroup, { migrate_from_chat_id: chatId });
  state.migrations.set(chatId, newId);
  return newId;
}

function makeForum(chat: ChatState): void {
  chat.chat.type = "supergroup";
  chat.chat.is_forum = true;
}

/** See TelegramServer.createForumTopic. */
export function createForumTopic(
  state: TelegramState,
  chatId: number,
  name: string,
  from: SendUserMessageInput["from"] | undefined,
): Message {
  const chat =
    state.chats.get(chatId) ??
    state.registerChat({ id: chatId, type: "supergroup", title: `Test supergroup ${chatId}` });
  makeForum(chat);
  const root = createTopic(state, chat, from ? toUser(from) : { ...state.botUser }, name);
  if (from) state.queueUpdate({ message: clone(root) });
  return root;
}
