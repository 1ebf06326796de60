/** Chats: getChat and sendChatAction ("typing", ...). */

import { badRequest } from "../api-error";
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
};
