import { ReplySession, silentLogger } from "@agents-memory/core";
import { readStoredWindow } from "@agents-memory/core/store";
import { failFastRedisOptions, IoRedisStore } from "@agents-memory/ioredis";
import { Redis } from "ioredis";
import type { Conversation } from "./content";
import { NEW_ITEMS_PER_TURN } from "./content";
import type { ChainReadResult } from "./results";
import { TURN_TIMEOUT_MS } from "./rows/agents-memory";

/**
 * Is a read bounded by the window, not by the conversation's length? On the chained layout
 * (row 1's store), two conversations are played from an empty history with `ReplySession`
 * turns: a short one (the first length whose window is full, at least 25 turns) and one of
 * `longTurns`. Then the newest window of each one's last reply is read as `ReplySession`
 * reads it (`readStoredWindow`), alternating between the two so drift hits both alike; the
 * figure is the median time per read.
 */
export async function measureChainReads(
  redisUrl: string,
  options: {
    window: number;
    conversation: Conversation;
    ttlSeconds: number;
    longTurns: number;
    reads: number;
  },
): Promise<ChainReadResult> {
  const { window, conversation, ttlSeconds, longTurns, reads } = options;
  const client = new Redis(redisUrl, failFastRedisOptions({ commandTimeoutMs: TURN_TIMEOUT_MS }));
  const store = new IoRedisStore({ client, layout: "chain", logger: silentLogger });
  try {
    const shortTurns = Math.max(25, Math.ceil(window / NEW_ITEMS_PER_TURN));
    const play = async (chatId: number, turns: number): Promise<string> => {
      let replyTo: number | null = null;
      for (let turn = 0; turn < turns; turn++) {
        const session = new ReplySession({
          store,
          chatId,
          replyToMessageId: replyTo,
          maxItems: window,
          ttlSeconds,
          timeoutMs: TURN_TIMEOUT_MS,
          logger: silentLogger,
        });
        await session.getItems();
        await session.addItems(conversation.newItems(turn));
        const result = await session.persist([turn + 1]);
        if (!result.ok) throw new Error(`chain reads: turn ${turn} of chat ${chatId} failed`);
        replyTo = turn + 1;
      }
      return `bot:${turns}:${chatId}`;
    };
    const shortKey = await play(7001, shortTurns);
    const longKey = await play(7002, longTurns);
    const timed = async (key: string) => {
      const t0 = process.hrtime.bigint();
      const { items } = await readStoredWindow(store, key, window);
      const micros = Number(process.hrtime.bigint() - t0) / 1000;
      if (items.length !== Math.min(window, NEW_ITEMS_PER_TURN * shortTurns)) {
        throw new Error(`chain reads: ${key} read ${items.length} items`);
      }
      return micros;
    };
    for (let i = 0; i < 20; i++) await Promise.all([timed(shortKey), timed(longKey)]);
    const short: number[] = [];
    const long: number[] = [];
    for (let i = 0; i < reads; i++) {
      if (i % 2 === 0) {
        short.push(await timed(shortKey));
        long.push(await timed(longKey));
      } else {
        long.push(await timed(longKey));
        short.push(await timed(shortKey));
      }
    }
    return {
      window,
      itemBytes: conversation.itemBytes,
      shortTurns,
      longTurns,
      shortMicros: median(short),
      longMicros: median(long),
      reads,
    };
  } finally {
    await store.close();
    client.disconnect();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
