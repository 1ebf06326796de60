/** TelegramServer.waitFor: a predicate re-checked after every call, answer and update, and
 * every 25 ms; a timeout lists the calls seen. */

import type { TelegramState } from "./state";
import type { TelegramCall, TelegramServer } from "./types";

export function waitFor<T>(
  state: TelegramState,
  server: TelegramServer,
  predicate: (server: TelegramServer) => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (action: () => void) => {
      if (done) return;
      done = true;
      state.listeners.delete(check);
      clearInterval(interval);
      clearTimeout(timer);
      action();
    };
    const check = () => {
      try {
        const value = predicate(server);
        if (value) {
          finish(() => resolve(value as T));
        }
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const interval = setInterval(check, 25);
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(
              `waitFor timed out after ${timeoutMs} ms; calls seen:\n${describeCalls(state.calls)}`,
            ),
          ),
        ),
      timeoutMs,
    );
    state.listeners.add(check);
    check();
  });
}

function describeCalls(calls: TelegramCall[]): string {
  if (calls.length === 0) return "  (none)";
  return calls
    .map((call) => {
      const params = JSON.stringify(call.params);
      const outcome = call.response
        ? call.response.ok
          ? "ok"
          : `${call.response.error_code} ${call.response.description}`
        : "pending";
      return `  ${call.method} ${params.length > 200 ? `${params.slice(0, 200)}…` : params} -> ${outcome}`;
    })
    .join("\n");
}
