/**
 * Telegram's side of webhook mode: while a webhook is set, each queued update is POSTed as JSON
 * (with the `X-Telegram-Bot-Api-Secret-Token` setWebhook was given) to the registered URL, which
 * the test maps to local http targets, as an operator's HTTPS reverse proxy would (round robin
 * over the targets it is given at each delivery). What Telegram does, and this does too:
 * - an update leaves the queue only when its delivery is answered 2xx;
 * - a failed delivery (connection refused or reset, a non-2xx answer, no answer within
 *   `responseTimeoutMs`) is tried again after a pause that doubles from `retryMs`;
 * - a chat's updates go one at a time, in order (the next waits while one is unacknowledged);
 *   other chats' go in parallel, up to max_connections (40).
 */

import type { StoredUpdate, TelegramState } from "./state";
import type { WebhookDelivery, WebhookForwardOptions } from "./types";

export type { WebhookDelivery, WebhookForwardOptions } from "./types";

const MAX_CONNECTIONS = 40;

/** Starts delivering; returns the record of attempts and a stop function. */
export function forwardWebhook(
  state: TelegramState,
  options: WebhookForwardOptions,
): { deliveries: WebhookDelivery[]; stop(): void } {
  const responseTimeoutMs = options.responseTimeoutMs ?? 60_000;
  const retryMs = options.retryMs ?? 500;
  const deliveries: WebhookDelivery[] = [];
  /** Chats with an update on its way or waiting to be tried again. */
  const busy = new Set<number | string>();
  const failures = new Map<number, number>();
  let inFlight = 0;
  let next = 0;
  let stopped = false;
  const controller = new AbortController();

  const pump = () => {
    if (stopped || !state.webhook) return;
    const blocked = new Set<number | string>();
    for (const update of state.updates) {
      const chat = chatOf(update);
      if (busy.has(chat) || blocked.has(chat)) {
        blocked.add(chat);
        continue;
      }
      if (inFlight >= MAX_CONNECTIONS) return;
      const targets = options.targets();
      if (targets.length === 0) return;
      busy.add(chat);
      blocked.add(chat);
      void deliver(update, chat, targets[next++ % targets.length]!);
    }
  };

  const deliver = async (update: StoredUpdate, chat: number | string, target: string) => {
    inFlight++;
    let outcome: number | string;
    try {
      const response = await fetch(target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(state.webhook?.secret_token
            ? { "x-telegram-bot-api-secret-token": state.webhook.secret_token }
            : {}),
        },
        body: JSON.stringify(update),
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(responseTimeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      outcome = response.status;
    } catch (error) {
      outcome =
        error instanceof Error && error.name === "TimeoutError"
          ? "no answer"
          : `failed: ${(error as Error & { cause?: Error }).cause?.message ?? String(error)}`;
    }
    inFlight--;
    deliveries.push({ update_id: update.update_id, target, outcome, at: Date.now() });
    if (typeof outcome === "number" && outcome >= 200 && outcome < 300) {
      state.updates = state.updates.filter((u) => u.update_id !== update.update_id);
      failures.delete(update.update_id);
      busy.delete(chat);
      state.notify();
    } else {
      const failed = (failures.get(update.update_id) ?? 0) + 1;
      failures.set(update.update_id, failed);
      const timer = setTimeout(
        () => {
          busy.delete(chat);
          pump();
        },
        retryMs * 2 ** Math.min(failed - 1, 3),
      );
      timer.unref();
    }
    pump();
  };

  state.listeners.add(pump);
  pump();
  return {
    deliveries,
    stop() {
      stopped = true;
      state.listeners.delete(pump);
      controller.abort();
    },
  };
}

/** The chat an update belongs to (its message's), or the update id when it names none. */
function chatOf(update: StoredUpdate): number | string {
  for (const value of Object.values(update)) {
    const chat = (value as { chat?: { id?: unknown } } | null)?.chat?.id;
    if (typeof chat === "number") return chat;
  }
  return `update:${update.update_id}`;
}
