/** startTelegramServer: the state, the HTTP listener and the TelegramServer handle over them. */

import { createServer } from "node:http";
import { listenLocal } from "../listen";
import { dispatch } from "./dispatch";
import { reply } from "./http";
import { clone, TelegramState } from "./state";
import type { TelegramServer, TelegramServerOptions } from "./types";
import { createForumTopic, migrateGroup, sendUserMessage } from "./user-actions";
import { waitFor } from "./wait";
import { forwardWebhook } from "./webhook-delivery";

export async function startTelegramServer(
  options: TelegramServerOptions = {},
): Promise<TelegramServer> {
  const state = new TelegramState(options);
  let closed: Promise<void> | undefined;
  const forwarders: Array<() => void> = [];

  const server = createServer((req, res) => {
    dispatch(state, req, res).catch((error) => {
      if (!res.headersSent) {
        reply(res, {
          ok: false,
          error_code: 500,
          description: `Internal Server Error: ${String(error)}`,
        });
      }
    });
  });
  const port = await listenLocal(server, options.port);

  const self: TelegramServer = {
    apiRoot: `http://127.0.0.1:${port}`,
    token: state.token,
    bot: {
      id: state.botUser.id,
      username: state.botUser.username,
      first_name: state.botUser.first_name,
      is_bot: true,
    },
    calls: state.calls,
    sendUserMessage: (input) => sendUserMessage(state, input),
    migrateGroup: (chatId, from) => migrateGroup(state, chatId, from),
    createForumTopic: (chatId, name, from) => createForumTopic(state, chatId, name, from),
    pushUpdate: (update) => state.queueUpdate(clone(update)),
    sentMessages: (chatId) =>
      state.sent.filter((message) => chatId === undefined || message.chat.id === chatId).map(clone),
    drafts: (chatId) =>
      state.drafts.filter((draft) => chatId === undefined || draft.chat_id === chatId).map(clone),
    pendingUpdates: () => state.updates.map(clone),
    forwardWebhook: (forward) => {
      const { deliveries, stop } = forwardWebhook(state, forward);
      forwarders.push(stop);
      return deliveries;
    },
    failNext: (method, error, count) => state.faults.failNext(method, error, count),
    failWhen: (method, predicate, error) => state.faults.failWhen(method, predicate, error),
    dropNext: (method, count) => state.faults.dropNext(method, count),
    clearFailures: (method) => state.faults.clear(method),
    waitFor: (predicate, timeoutMs) => waitFor(state, self, predicate, timeoutMs),
    close: () => {
      if (closed) return closed;
      state.closing = true;
      for (const stop of forwarders) stop();
      state.pollWaiter?.wake();
      closed = new Promise<void>((resolve) => {
        // Answered requests get "connection: close"; whatever is still open after a short
        // grace period (a client that never reads) is cut.
        const force = setTimeout(() => server.closeAllConnections(), 250);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
  return self;
}
