import { type MemoryLogger, ReplySession, replyKey, StoreSession } from "@agents-memory/core";
import { assistantItem as answer, userItem as user } from "@agents-memory/core/testing";
import { startRedisCluster } from "@agents-memory/test-servers/cluster";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { Cluster } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { failFastClusterOptions, IoRedisStore } from "../src";

/*
 * A Redis Cluster client built with ioredis's own `keyPrefix` (a common way to share a cluster
 * between apps), and session ids holding `{` `}`. The operation record (`operationsKey`) must
 * hash to the history's slot as Redis sees both keys, the client's prefix included: it was
 * computed without it, and every runner transaction failed with CROSSSLOT while check() passed.
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
  const items = await session.getItems();
  await session.clearSession();
  expect(await session.getItems()).toEqual([]);
  return items;
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

describe.each(["", "{app}:", "app:", "app}{"])(
  "a Cluster client with keyPrefix %j",
  (clientPrefix) => {
    test("check() passes: it writes every kind of key a session writes (the record included)", async () => {
      const { store, dispose } = clusterStore(clientPrefix);
      try {
        expect((await store.check()).summary).toMatch(/applied a transaction/);
      } finally {
        await dispose();
      }
    });

    test.each(IDS)("StoreSession %j: runner transactions land, clear removes them", async (id) => {
      const { store, logger, dispose } = clusterStore(clientPrefix);
      try {
        expect(await turns(store, `${id}-${Math.random()}`, logger)).toHaveLength(5);
        expect([...logger.warnings, ...logger.errors]).toEqual([]);
      } finally {
        await dispose();
      }
    });
  },
);

test('ReplySession (the bot\'s flow) on a Cluster client with keyPrefix "app:": three turns read whole', async () => {
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
