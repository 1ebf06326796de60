/** Every Bot API method the server implements, by its canonical name. */

import { botMethods } from "./bot";
import { chatMethods } from "./chats";
import { draftMethods } from "./drafts";
import type { Handler } from "./handler";
import { messageMethods } from "./messages";
import { updateMethods } from "./updates";

export type { Handler } from "./handler";

export const methods: Record<string, Handler> = {
  ...botMethods,
  ...updateMethods,
  ...messageMethods,
  ...draftMethods,
  ...chatMethods,
};
