/** Receiving updates: getUpdates (long polling, offsets, allowed_updates) and the webhook
 * methods that exclude it. */

import { ApiError, badRequest } from "../api-error";
import { toArray, toBool, toInt } from "../params";
import { clone, type PollWaiter } from "../state";
import type { Handler } from "./handler";

/** Update types delivered when allowed_updates is empty or never given. */
const DEFAULT_EXCLUDED_UPDATES = ["chat_member", "message_reaction", "message_reaction_count"];

function isAllowed(update: Record<string, unknown>, allowed: string[]): boolean {
  const type = Object.keys(update).find((key) => key !== "update_id");
  if (!type) return false;
  return allowed.length > 0 ? allowed.includes(type) : !DEFAULT_EXCLUDED_UPDATES.includes(type);
}

export const updateMethods: Record<string, Handler> = {
  getUpdates: async (state, params, signal) => {
    if (state.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    // One getUpdates at a time: a newer request ends a held one with 409, as Telegram does.
    state.pollWaiter?.terminate();
    const offset = toInt(params.offset, 0);
    const limit = Math.min(100, Math.max(1, toInt(params.limit, 100)));
    const timeout = Math.max(0, toInt(params.timeout, 0));
    if (params.allowed_updates !== undefined) {
      const list = toArray(params.allowed_updates);
      state.allowedUpdates = list.map(String);
    }
    if (offset > 0) state.updates = state.updates.filter((update) => update.update_id >= offset);
    else if (offset < 0) state.updates = state.updates.slice(offset);

    const select = () => {
      state.updates = state.updates.filter((update) => isAllowed(update, state.allowedUpdates));
      return state.updates.slice(0, limit).map(clone);
    };
    const batch: Array<Record<string, unknown>> = select();
    if (batch.length > 0 || timeout === 0 || state.closing) return batch;

    // Long poll: hold the request until an update is queued, the timeout, or close().
    return await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const finish = (value: Array<Record<string, unknown>> | ApiError) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (state.pollWaiter === waiter) state.pollWaiter = undefined;
        if (value instanceof ApiError) reject(value);
        else resolve(value);
      };
      const onAbort = () => finish([]);
      const waiter: PollWaiter = {
        wake: () => {
          const ready = select();
          if (ready.length > 0 || state.closing) finish(ready);
        },
        terminate: () =>
          finish(
            new ApiError(
              409,
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            ),
          ),
      };
      const timer = setTimeout(() => finish([]), timeout * 1000);
      signal.addEventListener("abort", onAbort);
      state.pollWaiter = waiter;
    });
  },

  setWebhook: (state, params) => {
    const url = params.url === undefined ? undefined : String(params.url);
    if (url === undefined) throw badRequest('parameter "url" is required');
    if (url === "") {
      state.webhook = undefined;
      return true;
    }
    if (!/^https:\/\//i.test(url))
      throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    state.webhook = {
      url,
      ...(params.secret_token ? { secret_token: String(params.secret_token) } : {}),
      ...(params.allowed_updates
        ? { allowed_updates: toArray(params.allowed_updates).map(String) }
        : {}),
    };
    if (toBool(params.drop_pending_updates)) state.updates = [];
    // A held long poll ends as Telegram ends it when a webhook is set.
    state.pollWaiter?.terminate();
    return true;
  },

  deleteWebhook: (state, params) => {
    state.webhook = undefined;
    if (toBool(params.drop_pending_updates)) state.updates = [];
    return true;
  },

  getWebhookInfo: (state) => ({
    url: state.webhook?.url ?? "",
    has_custom_certificate: false,
    pending_update_count: state.updates.length,
    ...(state.webhook ? { max_connections: 40, ip_address: "127.0.0.1" } : {}),
    ...(state.webhook?.allowed_updates ? { allowed_updates: state.webhook.allowed_updates } : {}),
  }),
};
