/** The bot itself: getMe, its command lists (by scope and language), and the no-op methods
 * (answerCallbackQuery, close, logOut). */

import { badRequest } from "../api-error";
import { toArray, toObject } from "../params";
import { clone } from "../state";
import type { Handler } from "./handler";

/** A command list's key: its scope and language_code, as setMyCommands stores them apart. */
function commandsKey(params: any): string {
  const scope = toObject(params.scope) ?? { type: "default" };
  return `${JSON.stringify(scope)}|${params.language_code ?? ""}`;
}

export const botMethods: Record<string, Handler> = {
  getMe: (state) => ({
    ...state.botUser,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  }),

  setMyCommands: (state, params) => {
    const list = toArray(params.commands);
    for (const command of list as Array<{ command?: unknown; description?: unknown }>) {
      const name = String(command?.command ?? "");
      const description = String(command?.description ?? "");
      if (!/^[a-z0-9_]{1,32}$/.test(name)) throw badRequest("BOT_COMMAND_INVALID");
      if (description.length < 1 || description.length > 256) {
        throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
      }
    }
    state.commands.set(commandsKey(params), clone(list));
    return true;
  },
  getMyCommands: (state, params) => state.commands.get(commandsKey(params)) ?? [],
  deleteMyCommands: (state, params) => {
    state.commands.delete(commandsKey(params));
    return true;
  },

  answerCallbackQuery: () => true,
  close: () => true,
  logOut: () => true,
};
