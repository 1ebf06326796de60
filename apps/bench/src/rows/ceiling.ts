import { chainHintOf, forkChainRequest, REDIS_LUA } from "@agents-memory/core/redis";
import { chainLinkElement } from "@agents-memory/core/store";
import type { Redis } from "ioredis";
import { NEW_ITEMS_PER_TURN, PERIOD } from "../content";
import { chainRingKeys } from "./agents-memory";
import { connect } from "./legacy";
import { type CellPlan, type Chat, messageKey, type Row, type RowCell } from "./row";
import { itemText } from "./texts";

/**
 * Row 3, the ceiling: exactly the requests `IoRedisStore` sends for a turn on its default
 * (chained) layout: EVALSHA of its READ_CHAIN script for the newest `window + 1` items, replies
 * read as strings as the store reads them, then EVALSHA of its FORK_CHAIN script (both imported
 * from the store's source), issued by bare ioredis with payloads built before the clock starts
 * (but the link, which names the parent key, and the keys the read walked, which the fork
 * declares): no decoding, no parsing, no fingerprinting, no session. The benchmark checks with MONITOR that rows 1 and 3 send the same requests. With
 * `parse`, row 6: the same, plus `JSON.parse` of each element.
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
      ? "a reference, not a peer: the least any layer that hands the model its history as objects does"
      : undefined,
    async open(plan: CellPlan): Promise<RowCell> {
      client ??= await connect(url);
      const redis = client;
      const readSha = String(await redis.script("LOAD", REDIS_LUA.readChain));
      const forkSha = String(await redis.script("LOAD", REDIS_LUA.forkChain));
      const { window, ttlSeconds, conversation } = plan;
      const keep = window - NEW_ITEMS_PER_TURN;
      // Everything a turn sends but the link, by `turn mod PERIOD` (the history repeats with
      // that period). ARGV[1] = 0: no deadline.
      const forkArgs: { fingerprint: string; fresh: string[] }[] = [];
      for (let p = 0; p < PERIOD; p++) {
        forkArgs.push({
          fingerprint: conversation.fingerprint(p, window),
          fresh: conversation.newElements(p),
        });
      }
      const readChain = async (key: string, limit: number) =>
        (await redis.evalsha(readSha, 1, key, limit)) as [string[], ...unknown[]];
      const readHistory = async (key: string, limit: number) => (await readChain(key, limit))[0];
      return {
        ringKeys: chainRingKeys(window),
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
          const read = await readChain(parent, window + 1);
          const elements = read[0];
          // Row 6 only: what the model needs from the read (row 1 also checks each is an object).
          if (parse && elements.map((element) => JSON.parse(element)).length !== elements.length) {
            throw new Error("ceiling + parse: lost items");
          }
          const reply = messageKey(chat.reply(turn), chat.chatId);
          const { fingerprint, fresh } = forkArgs[turn % PERIOD]!;
          // The keys the read walked, declared to the fork (as the store does: `chain-hint.ts`).
          const hint = chainHintOf(read[7], read[8]);
          const request =
            hint &&
            forkChainRequest(hint, {
              parent,
              children: [reply],
              count: window,
              fingerprint,
              keep,
              ttlSeconds,
              deadline: 0,
              link: chainLinkElement({ take: keep, parent }),
              clock: true,
              clientKeyPrefix: "",
              fresh,
            });
          if (!request) throw new Error("ceiling: the read gave no hint for the fork");
          const { keys, args } = request;
          const linked = await redis.evalsha(forkSha, keys.length, ...keys, ...args);
          if (Number(linked) !== 1) throw new Error("ceiling: the fork did not link");
        },
        async storedTexts(chat: Chat, turn: number) {
          const elements = await readHistory(messageKey(chat.reply(turn), chat.chatId), -1);
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
