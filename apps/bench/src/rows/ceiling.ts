import { REDIS_LUA } from "@agents-memory/core/redis";
import type { Redis } from "ioredis";
import { PERIOD } from "../content";
import { connect } from "./legacy";
import { type CellPlan, type Chat, messageKey, type Row, type RowCell } from "./row";
import { itemText } from "./texts";

/**
 * Row 3, the ceiling: exactly the requests `IoRedisStore` sends for a turn (LRANGE of the
 * newest `window` items, read as Buffers as the store reads them, then EVALSHA of its FORK_COPY
 * script, imported from the store's source) issued by bare ioredis with payloads built before
 * the clock starts: no decoding, no parsing, no fingerprinting, no session. The benchmark
 * checks with MONITOR that rows 1 and 3 send the same requests. With `parse`, row 6: the same,
 * plus decoding and `JSON.parse` of each element.
 */
export function ceilingRow(url: string, options: { parse?: boolean } = {}): Row {
  let client: Redis | undefined;
  const parse = options.parse === true;
  return {
    id: parse ? "ceiling-parsed" : "ceiling",
    title: parse
      ? "ceiling + parse (row 3, plus JSON.parse of every history item it read)"
      : "ceiling (the store's requests, bare ioredis, pre-built payloads)",
    note: parse
      ? "a reference, not a peer: the least any layer that hands the model its history as objects does, so the bound on row 1 / row 3"
      : undefined,
    async open(plan: CellPlan): Promise<RowCell> {
      client ??= await connect(url);
      const redis = client;
      const forkCopySha = String(await redis.script("LOAD", REDIS_LUA.forkCopy));
      const { window, ttlSeconds, conversation } = plan;
      // Everything a turn sends, by `turn mod PERIOD` (the history repeats with that period).
      const forkArgs: (string | number)[][] = [];
      for (let p = 0; p < PERIOD; p++) {
        const fresh = conversation.newElements(p);
        const keep = Math.min(window, window - fresh.length);
        forkArgs.push([ttlSeconds, window, conversation.fingerprint(p, window), keep, ...fresh]);
      }
      return {
        async seed(chat: Chat) {
          const key = messageKey(chat.replyTo(0), chat.chatId);
          await redis
            .multi()
            .del(key)
            .rpush(key, ...conversation.historyElements(0, window))
            .expire(key, ttlSeconds)
            .exec();
        },
        async turn(chat: Chat, turn: number) {
          const parent = messageKey(chat.replyTo(turn), chat.chatId);
          const elements = await redis.lrangeBuffer(parent, -window, -1);
          // Row 6 only: what the model needs from the read (row 1 also checks each is an object).
          if (
            parse &&
            elements.map((element) => JSON.parse(element.toString())).length !== elements.length
          ) {
            throw new Error("ceiling + parse: lost items");
          }
          const reply = messageKey(chat.reply(turn), chat.chatId);
          const copied = await redis.evalsha(
            forkCopySha,
            2,
            parent,
            reply,
            ...forkArgs[turn % PERIOD]!,
          );
          if (Number(copied) !== 1) throw new Error(`ceiling: the server-side copy failed`);
        },
        async storedTexts(chat: Chat, turn: number) {
          const elements = await redis.lrange(messageKey(chat.reply(turn), chat.chatId), 0, -1);
          return elements.map((element) => itemText(JSON.parse(element)));
        },
        async close() {},
      };
    },
    async close() {
      client?.disconnect();
      client = undefined;
    },
  };
}
