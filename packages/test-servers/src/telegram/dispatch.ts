/** One request, end to end: route `/bot<token>/<method>` (method names are case-insensitive),
 * check the token, record the call, apply injected faults, run the method, answer. */

import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./api-error";
import { readParams, reply } from "./http";
import { methods } from "./methods";
import type { TelegramState } from "./state";
import type { TelegramCall } from "./types";

export async function dispatch(
  state: TelegramState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const match = /^\/bot([^/]*)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  if (!match) {
    reply(res, { ok: false, error_code: 404, description: "Not Found" });
    return;
  }
  const [, pathToken, methodName] = match as unknown as [string, string, string];
  if (decodeURIComponent(pathToken) !== state.token) {
    reply(res, { ok: false, error_code: 401, description: "Unauthorized" });
    return;
  }
  let params: Record<string, unknown>;
  try {
    params = await readParams(req, url);
  } catch {
    reply(res, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
    return;
  }
  const call: TelegramCall = { method: methodName, params, at: Date.now() };
  state.calls.push(call);
  state.notify();
  if (state.faults.takeDrop(methodName)) {
    req.socket.destroy();
    return;
  }
  const canonical = Object.keys(methods).find(
    (name) => name.toLowerCase() === methodName.toLowerCase(),
  );
  let body: NonNullable<TelegramCall["response"]> & { parameters?: Record<string, unknown> };
  try {
    const failure = state.faults.injectedFailure(methodName, params);
    if (failure) throw failure;
    if (!canonical) throw new ApiError(404, "Not Found");
    const result = await methods[canonical]!(state, params, abort.signal);
    body = { ok: true, result };
  } catch (error) {
    if (!(error instanceof ApiError)) {
      body = {
        ok: false,
        error_code: 500,
        description: `Internal Server Error: ${String(error)}`,
      };
    } else {
      body = {
        ok: false,
        error_code: error.error_code,
        description: error.description,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      };
    }
  }
  call.response = body;
  reply(res, body, state.closing);
  state.notify();
}
