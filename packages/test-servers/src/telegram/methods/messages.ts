/** The bot's messages: sendMessage (replies, topics, link previews, inline keyboards),
 * editMessageText, deleteMessage, setMessageReaction. */

import { badRequest } from "../api-error";
import { formatText } from "../format";
import { placeInTopic } from "../forum-topics";
import { toBool, toInt, toObject } from "../params";
import { type ChatState, clone, type TelegramState } from "../state";
import type { Message } from "../types";
import type { Handler } from "./handler";

/** The replied message a call names (`reply_parameters` or the older
 * `reply_to_message_id`), or undefined when it allows sending without one. */
function resolveReply(state: TelegramState, chat: ChatState, params: any): Message | undefined {
  const replyParameters = toObject(params.reply_parameters) as
    | { message_id?: unknown; chat_id?: unknown; allow_sending_without_reply?: unknown }
    | undefined;
  const messageId = replyParameters?.message_id ?? params.reply_to_message_id;
  if (messageId === undefined) return undefined;
  const allowWithout = toBool(
    replyParameters?.allow_sending_without_reply ?? params.allow_sending_without_reply,
  );
  const target =
    replyParameters?.chat_id !== undefined ? state.findChat(replyParameters.chat_id) : chat;
  const replied = target.messages.get(toInt(messageId, 0));
  if (!replied) {
    if (allowWithout) return undefined;
    throw badRequest("message to be replied not found");
  }
  return state.replyTarget(target, replied);
}

export const messageMethods: Record<string, Handler> = {
  sendMessage: (state, params) => {
    const chat = state.findChat(params.chat_id);
    const { text, entities } = formatText(params, "text");
    const message: Message = {
      message_id: chat.nextMessageId,
      from: { ...state.botUser },
      chat: { ...chat.chat },
      date: Math.floor(Date.now() / 1000),
    };
    const reply = resolveReply(state, chat, params);
    // A reply lands in its target's topic; without either, a forum message goes to General.
    const topic =
      state.topicOf(chat, params) ??
      (reply?.is_topic_message ? reply.message_thread_id : undefined);
    if (reply) message.reply_to_message = reply;
    if (topic !== undefined) placeInTopic(state, chat, message, topic);
    message.text = text;
    if (entities.length > 0) message.entities = entities;
    const preview = toObject(params.link_preview_options);
    if (preview) message.link_preview_options = preview;
    const markup = toObject(params.reply_markup);
    if (markup && "inline_keyboard" in markup) message.reply_markup = markup;
    state.storeMessage(chat, message);
    state.sent.push(message);
    return clone(message);
  },

  editMessageText: (state, params) => {
    if (params.inline_message_id !== undefined) throw badRequest("message to edit not found");
    const chat = state.findChat(params.chat_id);
    const message = chat.messages.get(toInt(params.message_id, 0));
    if (!message) throw badRequest("message to edit not found");
    if (message.from?.id !== state.botUser.id) throw badRequest("message can't be edited");
    if (message.text === undefined) throw badRequest("there is no text in the message to edit");
    const { text, entities } = formatText(params, "text");
    if (
      text === message.text &&
      JSON.stringify(entities) === JSON.stringify(message.entities ?? [])
    ) {
      throw badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    message.text = text;
    if (entities.length > 0) message.entities = entities;
    else delete message.entities;
    message.edit_date = Math.floor(Date.now() / 1000);
    return clone(message);
  },

  deleteMessage: (state, params) => {
    const chat = state.findChat(params.chat_id);
    const id = toInt(params.message_id, 0);
    if (!chat.messages.delete(id)) throw badRequest("message to delete not found");
    const index = state.sent.findIndex(
      (message) => message.chat.id === chat.chat.id && message.message_id === id,
    );
    if (index >= 0) state.sent.splice(index, 1);
    return true;
  },

  setMessageReaction: (state, params) => {
    const chat = state.findChat(params.chat_id);
    if (!chat.messages.has(toInt(params.message_id, 0))) throw badRequest("message not found");
    return true;
  },
};
