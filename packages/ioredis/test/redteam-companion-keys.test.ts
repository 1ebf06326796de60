import { type MemoryLogger, MemoryStore, StoreSession, silentLogger } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { afterAll, describe, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * Red team: a StoreSession's companion keys live in the same namespace as history keys. The
 * usage counters of session `id` are under `id:usage`, its operation record (the runner's
 * idempotency record) under `{id}:ops`; both are valid session ids of another session in the
 * same store (an app that takes the session id from its client, a conversation id, say).
 * The MemoryStore keeps usage and operation records apart from histories, so there the same
 * steps hold (first test); on the Redis layout (IoRedisStore here; UpstashStore shares the
 * layout) they do not. Cause: StoreSession.usageKey (packages/core/src/sessions/store-session.ts)
 * and operationsKey (packages/core/src/redis/operations-key.ts) build companion keys in the
 * history keys' namespace.
 */

const server = await startRedisServer();
afterAll(() => server.stop());

const usage = {
  requests: 1,
  inputTokens: 10,
  cachedInputTokens: 0,
  outputTokens: 5,
  reasoningTokens: 0,
};
const firstTurn = {
  operationId: "op-1",
  transaction: { type: "append_items", items: [user("hi"), answer("hello")] },
} as never;

async function withStore(run: (store: IoRedisStore, logger: MemoryLogger) => Promise<void>) {
  const logger = recordingLogger();
  const store = new IoRedisStore({ url: server.url, logger });
  try {
    await run(store, logger);
  } finally {
    await store.close();
  }
}

describe("a session whose id is another session's companion key", () => {
  /*
   * A user runs session "alice…" (usage recorded); another client's session is named
   * "alice…:usage" and takes one turn. Alice expects her usage to stay. What happens: the
   * other session's write replaces alice's usage hash with its history list (the warning
   * names only the other key), and alice's getUsage() returns zeros, with nothing logged.
   */
  test.fails("another session's turn never resets this session's usage counters", async () => {
    await withStore(async (store, logger) => {
      const id = `alice-${Math.random()}`;
      const alice = new StoreSession({ store, sessionId: id, logger });
      await alice.addItems([user("hi"), answer("hello")]);
      await alice.recordUsage(usage);
      const other = new StoreSession({ store, sessionId: `${id}:usage`, logger });
      await other.getItems();
      await other.addItems([user("my own chat")]);
      expect((await alice.getUsage()).inputTokens).toBe(10);
    });
  });

  /*
   * Alice's runner applies transaction op-1; another client's session named "{alice…}:ops"
   * takes one turn. Alice expects her next turns to be stored. What happens: the other write
   * replaced alice's operation record (a hash) with a list, and every later transaction of
   * alice fails with WRONGTYPE: alice's conversation can no longer be written at all.
   */
  test.fails("another session's turn never breaks this session's later writes", async () => {
    await withStore(async (store, logger) => {
      const id = `alice-${Math.random()}`;
      const alice = new StoreSession({ store, sessionId: id, logger });
      await alice.applyHistoryTransaction!(firstTurn);
      const other = new StoreSession({ store, sessionId: `{${id}}:ops`, logger });
      await other.addItems([user("my own chat")]);
      await alice.applyHistoryTransaction!({
        operationId: "op-2",
        transaction: { type: "append_items", items: [user("again")] },
      } as never);
      expect(await alice.getItems()).toHaveLength(3);
    });
  });

  /*
   * The runner retries a transaction with the same operation id after a lost answer (the SDK's
   * promise: applied once). If a session named "{alice…}:ops" is cleared in between, alice's
   * record is deleted with it, and the retry appends the same items a second time, silently.
   */
  test.fails("clearing another session never makes this session's retried transaction apply twice", async () => {
    await withStore(async (store, logger) => {
      const id = `alice-${Math.random()}`;
      const alice = new StoreSession({ store, sessionId: id, logger });
      await alice.applyHistoryTransaction!(firstTurn);
      await new StoreSession({ store, sessionId: `{${id}}:ops`, logger }).clearSession();
      await alice.applyHistoryTransaction!(firstTurn);
      expect(await alice.getItems()).toHaveLength(2);
    });
  });
});

test("holds on the MemoryStore: usage kept, later writes land, a retry applies once", async () => {
  const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
  const id = "alice";
  const alice = new StoreSession({ store, sessionId: id, logger: silentLogger });
  await alice.applyHistoryTransaction!(firstTurn);
  await alice.recordUsage(usage);
  await new StoreSession({ store, sessionId: `${id}:usage`, logger: silentLogger }).addItems([
    user("my own chat"),
  ]);
  await new StoreSession({ store, sessionId: `{${id}}:ops`, logger: silentLogger }).clearSession();
  await alice.applyHistoryTransaction!(firstTurn);
  expect((await alice.getUsage()).inputTokens).toBe(10);
  expect(await alice.getItems()).toHaveLength(2);
});
