/** sendMessageDraft (Bot API 9.3+): a partial message streamed to a private chat while it is
 * generated. Ephemeral: nothing is stored as a message; the server records each draft shown. */

import { badRequest } from "../api-error";
import { formatText } from "../format";
import { toInt } from "../params";
import type { Handler } from "./handler";

export const draftMethods: Record<string, Handler> = {
  sendMessageDraft: (state, params) => {
    const chat = state.findChat(params.chat_id);
    // Telegram's rule; the wording of its error is ours.
    if (chat.chat.type !== "private") {
      throw badRequest("message drafts can be sent only to private chats");
    }
    const draftId = toInt(params.draft_id, 0);
    if (draftId === 0) throw badRequest("draft_id must be non-zero");
    const topic = state.topicOf(chat, params);
    // 0-4096 characters after entity parsing; an empty text shows "Thinking…".
    const { text, entities } = formatText(params, "text", { allowEmpty: true });
    state.drafts.push({
      chat_id: chat.chat.id,
      draft_id: draftId,
      text,
      entities,
      ...(topic !== undefined ? { message_thread_id: topic } : {}),
      at: Date.now(),
    });
    return true;
  },
};
