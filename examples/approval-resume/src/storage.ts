import { StoreSession } from "@agents-memory/core";
import { failFastRedisOptions, IoRedisStore } from "@agents-memory/ioredis";
import { Redis } from "ioredis";

/** Which conversation: the same SESSION_ID in both commands. */
export const sessionId = process.env.SESSION_ID ?? "demo";

/**
 * The command line that runs one of this example's scripts for this session, as a user types
 * it: `--filter` makes it work from anywhere in the repository, the root included.
 */
export function commandLine(script: "start" | "resume", argument: string): string {
  const session = process.env.SESSION_ID === undefined ? "" : `SESSION_ID=${sessionId} `;
  return `${session}pnpm --filter @agents-memory/example-approval-resume ${script} ${argument}`;
}

/**
 * One Redis connection for the conversation (a StoreSession under `support:<sessionId>`) and,
 * next to it, the paused run (`support:<sessionId>:run-state`).
 */
export async function openStorage() {
  const redis = new Redis(
    process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    failFastRedisOptions(),
  );
  await redis.connect();
  const session = new StoreSession({
    store: new IoRedisStore({ client: redis }),
    keyPrefix: "support:",
    sessionId,
  });
  const stateKey = `support:${sessionId}:run-state`;
  return {
    session,
    /** Keeps a paused run for a week: an approval may take a while. */
    saveRunState: (state: string) => redis.set(stateKey, state, "EX", 7 * 86_400),
    /**
     * Takes the paused run out of Redis (GETDEL: two resumers cannot both get it, so a tool
     * call is never approved twice). `undefined` when no run is waiting.
     */
    takeRunState: async () => (await redis.getdel(stateKey)) ?? undefined,
    close: () => redis.quit(),
  };
}
