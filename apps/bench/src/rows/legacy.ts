import { compileFilter } from "@agents-memory/core";
import { failFastRedisOptions } from "@agents-memory/ioredis";
import type { AgentInputItem } from "@openai/agents";
import { Redis } from "ioredis";
import { TURN_TIMEOUT_MS } from "./agents-memory";
import { type CellPlan, type Chat, messageKey, type Row, type RowCell } from "./row";
import { itemText } from "./texts";

/**
 * Row 2, the legacy flow of the Python bot's cache: GET the replied-to message's JSON blob,
 * drop tool items, append the turn, trim, SET the whole blob under the reply's key with EX.
 */
export function legacyRow(url: string): Row {
  let client: Redis | undefined;
  const keep = compileFilter();
  return {
    id: "legacy",
    title: "legacy blob (GET/SET EX, bare ioredis)",
    async open(plan: CellPlan): Promise<RowCell> {
      client ??= await connect(url);
      const redis = client;
      const { window, ttlSeconds, conversation } = plan;
      return {
        async seed(chat: Chat) {
          const blob = JSON.stringify(conversation.history(0, window));
          await redis.set(messageKey(chat.replyTo(0), chat.chatId), blob, "EX", ttlSeconds);
        },
        async turn(chat: Chat, turn: number) {
          const blob = await redis.get(messageKey(chat.replyTo(turn), chat.chatId));
          const stored = blob === null ? [] : (JSON.parse(blob) as AgentInputItem[]);
          const history = stored.filter(keep).slice(-window);
          const items = [...history, ...conversation.newItems(turn)].slice(-window);
          await redis.set(
            messageKey(chat.reply(turn), chat.chatId),
            JSON.stringify(items),
            "EX",
            ttlSeconds,
          );
        },
        async storedTexts(chat: Chat, turn: number) {
          const blob = await redis.get(messageKey(chat.reply(turn), chat.chatId));
          return blob === null ? [] : (JSON.parse(blob) as unknown[]).map(itemText);
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

/**
 * The client every bare-ioredis row uses: the same options as row 1's, so no row differs by
 * its client settings (`commandTimeout` included: a timer per command).
 */
export async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, failFastRedisOptions({ commandTimeoutMs: TURN_TIMEOUT_MS }));
  await client.connect();
  return client;
}
