import { ReplySession, type SessionStore, silentLogger } from "@agents-memory/core";
import type { RedisLayout } from "@agents-memory/core/redis";
import { failFastRedisOptions, IoRedisStore } from "@agents-memory/ioredis";
import { Redis } from "ioredis";
import type { CellPlan, Chat, Row, RowCell } from "./row";
import { itemText } from "./texts";

/** Generous per-call budgets: the benchmark measures a loaded server, not the guard. */
export const TURN_TIMEOUT_MS = 5_000;

/**
 * A turn the bot's way, on any store: a `ReplySession` for the incoming message loads the
 * replied-to history (the bot logs its size), the runner gets it and adds its two new items,
 * and `persist` writes the history under the bot's reply (a fork). A failed read or write
 * fails the benchmark.
 */
export function replySessionTurn(
  store: SessionStore,
  plan: CellPlan,
): (chat: Chat, turn: number) => Promise<void> {
  const { window, ttlSeconds, conversation } = plan;
  return async (chat, turn) => {
    let failure: unknown;
    const session = new ReplySession({
      store,
      chatId: chat.chatId,
      replyToMessageId: chat.replyTo(turn),
      maxItems: window,
      ttlSeconds,
      timeoutMs: TURN_TIMEOUT_MS,
      logger: silentLogger,
      onStoreError: ({ error }) => {
        failure ??= error;
      },
    });
    await session.load();
    await session.getItems();
    await session.addItems(conversation.newItems(turn));
    const result = await session.persist([chat.reply(turn)]);
    if (failure !== undefined || !result.ok) {
      throw new Error(`turn on ${result.keys[0]} failed`, { cause: failure });
    }
  };
}

/**
 * The reply keys a chat cycles through on the chained layout: the newest window reads from
 * the keys of the last `window / 2` turns, so none of them may be overwritten yet.
 */
export function chainRingKeys(window: number): number {
  return window + 2;
}

/** Seeds and checks through the store itself (outside the clock). */
export function storeRowCell(
  store: SessionStore,
  plan: CellPlan,
  layout: RedisLayout,
  close: () => Promise<void> = async () => {},
): RowCell {
  const { window, ttlSeconds, conversation } = plan;
  const key = (messageId: number, chat: Chat) => `bot:${messageId}:${chat.chatId}`;
  return {
    ringKeys: layout === "chain" ? chainRingKeys(window) : 2,
    async seed(chat) {
      await store.replace(key(chat.replyTo(0), chat), conversation.history(0, window), ttlSeconds);
    },
    turn: replySessionTurn(store, plan),
    async storedTexts(chat, turn) {
      return (await store.read(key(chat.reply(turn), chat))).map(itemText);
    },
    close,
  };
}

/**
 * Row 1: `ReplySession` on `IoRedisStore`, the real code path, on the chained layout (the
 * default); row 7: the same on the copy layout (every reply key holds its whole window).
 */
export function agentsMemoryRow(url: string, layout: RedisLayout = "chain"): Row {
  let client: Redis | undefined;
  let store: IoRedisStore | undefined;
  return {
    id: layout === "chain" ? "agents-memory" : "agents-memory-copy",
    title: `agents-memory (ReplySession on IoRedisStore, ${layout} layout)`,
    note:
      layout === "copy"
        ? "the layout before the chained one, and the one Redis Cluster keeps: each reply key holds its whole window"
        : undefined,
    async open(plan: CellPlan): Promise<RowCell> {
      if (!store) {
        client = new Redis(url, failFastRedisOptions({ commandTimeoutMs: TURN_TIMEOUT_MS }));
        await client.connect();
        store = new IoRedisStore({ client, layout, logger: silentLogger });
      }
      return storeRowCell(store, plan, layout);
    },
    async close() {
      await store?.close();
      client?.disconnect();
      store = undefined;
      client = undefined;
    },
  };
}
