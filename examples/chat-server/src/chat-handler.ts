import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { type SessionStore, StoreSession } from "@agents-memory/core";
import { type Agent, run } from "@openai/agents";

export interface ChatOptions {
  store: SessionStore;
  agent: Agent;
}

// A user name becomes part of a Redis key: keep it short and plain.
const USER = /^[\w.@-]{1,64}$/;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * `POST /chat {"user", "message"}` -> `{"answer"}`; `GET /history?user=...` -> `{"items"}`.
 * Each user has one conversation, kept in the store under `chat:<user>`.
 */
export function chatHandler({ store, agent }: ChatOptions): RequestListener {
  // The same sessionId in any process (or after a restart) reads the same history.
  const sessionFor = (user: string) =>
    new StoreSession({
      store,
      keyPrefix: "chat:",
      sessionId: user,
      maxItems: 100, // the newest 100 items are sent to the model and kept
      ttlSeconds: 30 * 86_400, // a conversation idle for 30 days is forgotten
    });

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (req.method === "POST" && url.pathname === "/chat") {
        const body = await readJson(req);
        const user = body?.user;
        const message = body?.message;
        if (typeof user !== "string" || !USER.test(user)) {
          return send(res, 400, { error: "user: 1 to 64 letters, digits, or . _ @ -" });
        }
        if (typeof message !== "string" || !message.trim()) {
          return send(res, 400, { error: "message: a non-empty string" });
        }
        // The session loads the user's history before the model call and appends the turn after.
        const result = await run(agent, message, { session: sessionFor(user) });
        return send(res, 200, { answer: result.finalOutput });
      }
      if (req.method === "GET" && url.pathname === "/history") {
        const user = url.searchParams.get("user") ?? "";
        if (!USER.test(user)) return send(res, 400, { error: "user: see POST /chat" });
        return send(res, 200, { items: await sessionFor(user).getItems() });
      }
      return send(res, 404, { error: "POST /chat or GET /history?user=..." });
    } catch (error) {
      if (error instanceof BadRequest) return send(res, 400, { error: error.message });
      // A model or Redis failure: logged with its error; the client gets no internals.
      console.error("request failed:", req.method, url.pathname, error);
      return send(res, 500, { error: "the request failed; try again" });
    }
  };
}

class BadRequest extends Error {}

async function readJson(req: IncomingMessage): Promise<any> {
  let text = "";
  for await (const chunk of req.setEncoding("utf8")) {
    text += chunk;
    if (text.length > MAX_BODY_BYTES) throw new BadRequest("body: at most 64 KiB");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body: JSON like {"user": "ann", "message": "Hi"}');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
