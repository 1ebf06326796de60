import { type MemoryLogger, ReplySession, replyKey, StoreSession } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { startRedisCluster } from "@agents-memory/test-servers/cluster";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { Cluster } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { failFastClusterOptions, IoRedisStore } from "../src";

/*
 * Red team: a Redis Cluster client built with ioredis's own `keyPrefix` (a common way to share a
 * cluster between apps), and session ids holding `{` `}`. The store computes the operation
 * record's key (`operationsKey`, packages/core/src/redis/operations-key.ts) from the key
 * without the client's prefix, but Redis hashes the key with it.
 */

const cluster = await startRedisCluster();
afterAll(() => cluster.stop());

/** Two runner turns (transactions) and a compaction-style replace on one session. */
async function turns(store: IoRedisStore, sessionId: string, logger: MemoryLogger) {
  const session = new StoreSession({ store, sessionId, logger });
  await session.applyHistoryTransaction!({
    operationId: "op-1",
    transaction: { type: "append_items", items: [user("hi"), answer("hello")] },
  } as never);
  await session.applyHistoryTransaction!({
    operationId: "op-2",
    transaction: { type: "append_items", items: [user("again"), answer("yes")] },
  } as never);
  await session.addItems([user("plain")]);
  return session.getItems();
}

const IDS = ["plain-id", "{tag}rest", "rest}x{y", "{}x{y}", "a{b", "}"];

function clusterStore(clientPrefix: string) {
  const client = new Cluster(cluster.nodes, {
    ...failFastClusterOptions(),
    ...(clientPrefix ? { keyPrefix: clientPrefix } : {}),
  });
  client.on("error", () => {});
  const logger = recordingLogger();
  const store = new IoRedisStore({ client: client as never, logger });
  return {
    store,
    logger,
    async dispose() {
      await store.close();
      client.disconnect();
    },
  };
}

describe.each(["", "{app}:"])("holds: a Cluster client with keyPrefix %j", (clientPrefix) => {
  test.each(IDS)("StoreSession %j: runner transactions land", async (id) => {
    const { store, logger, dispose } = clusterStore(clientPrefix);
    try {
      expect(await turns(store, `${id}-${Math.random()}`, logger)).toHaveLength(5);
      expect([...logger.warnings, ...logger.errors]).toEqual([]);
    } finally {
      await dispose();
    }
  });
});

/*
 * What a user does: shares a Redis Cluster between apps the usual ioredis way,
 * `new Cluster(nodes, { keyPrefix: "app:" })`, hands it to IoRedisStore, and runs a StoreSession
 * under the SDK's Runner (0.20 uses applyHistoryTransaction on every turn).
 * Expected: turns are stored, or the store refuses this shape at start (check()) in one line.
 * What happens: the history key is "app:<id>", the operation record "app:{<id>}:ops" (its
 * tag computed without the client's prefix), in another slot: every transaction fails with
 * CROSSSLOT (the run rejects: a conversation that can never be stored). check() passes.
 * Also with a prefix holding an unbalanced brace ("app}{"), and for ids with "}".
 */
describe.each(["app:", "app}{"])("a Cluster client with keyPrefix %j", (clientPrefix) => {
  test.fails.each(["plain-id", "rest}x{y"])(
    "StoreSession %j: runner transactions land, or check() refuses the shape",
    async (id) => {
      const { store, logger, dispose } = clusterStore(clientPrefix);
      try {
        const refused = await store.check().then(
          () => false,
          () => true,
        );
        if (!refused) expect(await turns(store, `${id}-${Math.random()}`, logger)).toHaveLength(5);
      } finally {
        await dispose();
      }
    },
  );
});

test('holds: ReplySession (the bot\'s flow) on a Cluster client with keyPrefix "app:": three turns read whole', async () => {
  const { store, logger, dispose } = clusterStore("app:");
  try {
    const chat = -Math.floor(Math.random() * 1e9);
    let replyTo: number | null = null;
    const outcomes: Array<string | undefined> = [];
    for (const id of [21, 22, 23]) {
      const session: ReplySession = new ReplySession({
        store,
        chatId: chat,
        replyToMessageId: replyTo,
        logger,
      });
      await session.load();
      outcomes.push(session.readOutcome);
      await session.addItems([user(`q${id}`), answer(`a${id}`)]);
      expect((await session.persist([id, id + 100])).ok).toBe(true);
      replyTo = id + 100;
    }
    expect(outcomes).toEqual(["none", "whole", "whole"]);
    expect(await store.read(replyKey(123, chat))).toHaveLength(6);
    expect([...logger.warnings, ...logger.errors]).toEqual([]);
  } finally {
    await dispose();
  }
});
