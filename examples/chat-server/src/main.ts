import { createServer } from "node:http";
import { IoRedisStore } from "@agents-memory/ioredis";
import { Agent } from "@openai/agents";
import { chatHandler } from "./chat-handler";

// The OpenAI client reads OPENAI_API_KEY and OPENAI_BASE_URL itself; the model is the SDK's
// default unless OPENAI_MODEL names one.
const agent = new Agent({
  name: "Assistant",
  instructions: "You are a helpful assistant. Answer briefly.",
  model: process.env.OPENAI_MODEL,
});

// One store (one Redis connection) for the whole process; sessions are cheap, one per request.
const store = new IoRedisStore({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });

const server = createServer(chatHandler({ store, agent }));
server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") {
    console.log(`listening on http://${address.address}:${address.port}`);
  }
});

// Ctrl-C: finish the requests in flight, then close the Redis connection, so nothing is cut
// mid-write, and exit 0. `on`, not `once`: the Agents SDK exits with 130 on a SIGINT that no
// other listener awaits, and pnpm passes the terminal's SIGINT on once more.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => void store.close());
  });
}
