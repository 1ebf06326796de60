import { StoreSession } from "@agents-memory/core";
import { UpstashStore } from "@agents-memory/upstash";
import { Agent, run } from "@openai/agents";

// Web APIs only (Request, Response, fetch): this module runs as it is on serverless and edge
// platforms. Node's own APIs live in serve.ts, the local server.

const agent = new Agent({
  name: "Assistant",
  instructions: "You are a helpful assistant. Answer briefly.",
  // `process.env` where the platform has it (Node, Vercel, Netlify, Deno, Bun, Cloudflare's
  // nodejs_compat); elsewhere the SDK's default model.
  model: globalThis.process?.env.OPENAI_MODEL,
});

// Upstash speaks HTTP: no connection to open or keep, so one store per instance is safe even
// when the platform freezes it between requests. Reads UPSTASH_REDIS_REST_URL and _TOKEN.
const store = new UpstashStore();

const SESSION_ID = /^[\w.@:-]{1,64}$/;

/**
 * `POST {"sessionId", "message"}` -> `{"answer"}`. The conversation is kept in Upstash under
 * `chat:<sessionId>`, for 30 days after its last turn.
 */
export default async function handler(request: Request): Promise<Response> {
  if (request.method !== "POST") {
    return Response.json({ error: 'POST {"sessionId", "message"}' }, { status: 405 });
  }
  const body: any = await request.json().catch(() => undefined);
  if (typeof body?.sessionId !== "string" || !SESSION_ID.test(body.sessionId)) {
    return Response.json(
      { error: "sessionId: 1 to 64 letters, digits, or . _ @ : -" },
      { status: 400 },
    );
  }
  if (typeof body.message !== "string" || !body.message.trim()) {
    return Response.json({ error: "message: a non-empty string" }, { status: 400 });
  }

  const session = new StoreSession({
    store,
    keyPrefix: "chat:",
    sessionId: body.sessionId,
    maxItems: 50,
    ttlSeconds: 30 * 86_400,
  });
  try {
    const result = await run(agent, body.message, { session });
    return Response.json({ answer: result.finalOutput });
  } catch (error) {
    // The platform's log keeps the error; the client gets no internals.
    console.error("chat failed:", error);
    return Response.json({ error: "the request failed; try again" }, { status: 500 });
  }
}
