import { MemoryStore, type SessionStore, StoreSession } from "@agents-memory/core";
import { IoRedisStore } from "@agents-memory/ioredis";
import { UpstashStore } from "@agents-memory/upstash";
import { Agent, run } from "@openai/agents";
import { moveConversation, TargetTakenError } from "./move-conversation";

const agent = new Agent({
  name: "Assistant",
  instructions: "You are a helpful assistant. Answer briefly.",
  model: process.env.OPENAI_MODEL,
});

// Every store names the conversation the same way: keyPrefix + sessionId.
const keyPrefix = "chat:";
const sessionId = process.env.SESSION_ID ?? "ann";
const key = keyPrefix + sessionId;
const sessionOn = (store: SessionStore) => new StoreSession({ store, keyPrefix, sessionId });

const memory = new MemoryStore();
const redis = new IoRedisStore({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
const upstash = new UpstashStore(); // UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN
const count = async (store: SessionStore) => (await store.read(key)).length;

try {
  // 1. A conversation starts in process memory (a prototype, a test, a single instance).
  const first = await run(agent, "Hi, I am Ann.", { session: sessionOn(memory) });
  console.log(
    `memory:  ${key} holds ${await count(memory)} items; the agent said: ${first.finalOutput}`,
  );

  // 2. The app grows to several processes: the conversation moves to Redis.
  await moveConversation(memory, redis, key);
  console.log(`redis:   ${key} holds ${await count(redis)} items (memory: ${await count(memory)})`);

  // 3. It moves again, to Upstash (serverless), under the same key.
  await moveConversation(redis, upstash, key);
  console.log(`upstash: ${key} holds ${await count(upstash)} items (redis: ${await count(redis)})`);

  // 4. The same session options on the new store continue the same conversation.
  const next = await run(agent, "What is my name?", { session: sessionOn(upstash) });
  console.log(
    `upstash: ${key} holds ${await count(upstash)} items; the agent said: ${next.finalOutput}`,
  );
} catch (error) {
  if (!(error instanceof TargetTakenError)) throw error;
  // A run before this one left the conversation there (so did the other examples: chat:ann).
  console.error(
    `${error.message}; nothing there was changed. Start another conversation: SESSION_ID=<name> pnpm --filter @agents-memory/example-move-stores start`,
  );
  process.exitCode = 1;
} finally {
  await Promise.all([memory.close(), redis.close(), upstash.close()]);
}
