/** Chats: getChat, sendChatAction ("typing", ...) and createForumTopic. */

import { badRequest } from "../api-error";
import { createTopic, TOPIC_ICON_COLORS } from "../forum-topics";
import { toInt } from "../params";
import type { Handler } from "./handler";

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

export const chatMethods: Record<string, Handler> = {
  getChat: (state, params) => ({
    ...state.findChat(params.chat_id).chat,
    accent_color_id: 0,
    max_reaction_count: 11,
  }),

  sendChatAction: (state, params) => {
    state.topicOf(state.findChat(params.chat_id), params);
    if (!CHAT_ACTIONS.has(String(params.action))) {
      throw badRequest("wrong parameter action in request");
    }
    return true;
  },

  createForumTopic: (state, params) => {
    const chat = state.findChat(params.chat_id);
    if (params.name === undefined) throw badRequest('parameter "name" is required');
    const root = createTopic(
      state,
      chat,
      { ...state.botUser },
      String(params.name),
      params.icon_color === undefined ? TOPIC_ICON_COLORS[0] : toInt(params.icon_color, -1),
    );
    return {
      message_thread_id: root.message_thread_id,
      name: root.forum_topic_created!.name,
      icon_color: root.forum_topic_created!.icon_color,
    };
  },
};
