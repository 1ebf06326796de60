import {
  type CellPlan,
  type Chat,
  messageKey,
  type Row,
  type RowCell,
  RowUnavailable,
} from "./row";

/**
 * Row 4, the peer: langchainjs `RedisChatMessageHistory` (`@langchain/redis`, on node-redis),
 * one list per session id. Its turn, the natural equivalent of a reply: read the replied-to
 * session's messages, then write history + 2 new (trimmed to the window) under the reply's
 * session id with `addMessages` (which adds one message at a time: LPUSH, then EXPIRE).
 * The benchmark reuses a ring of reply keys, so the turn clears the reply's session first
 * (one DEL); in the bot's flow the key would be fresh.
 */
export function langchainRow(url: string): Row {
  let loaded: Awaited<ReturnType<typeof load>> | undefined;
  let client: { quit(): Promise<unknown>; disconnect(): Promise<unknown> } | undefined;
  return {
    id: "langchain",
    title: "langchainjs RedisChatMessageHistory (@langchain/redis)",
    note: "clears the reply's session before writing (the bench reuses keys): one DEL per turn",
    async open(plan: CellPlan): Promise<RowCell> {
      loaded ??= await load();
      const { RedisChatMessageHistory, HumanMessage, AIMessage, toStored, createClient } = loaded;
      if (!client) {
        const created = createClient({ url });
        await created.connect();
        client = created;
      }
      const redis = client as ReturnType<typeof createClient>;
      const { window, ttlSeconds, conversation } = plan;
      const messages = (turn: number) => {
        const [user, assistant] = conversation.texts(turn);
        return [new HumanMessage(user!), new AIMessage(assistant!)];
      };
      const session = (messageId: number, chat: Chat) =>
        new RedisChatMessageHistory({
          sessionId: messageKey(messageId, chat.chatId),
          sessionTTL: ttlSeconds,
          client: redis,
        });
      return {
        async seed(chat: Chat) {
          const key = messageKey(chat.replyTo(0), chat.chatId);
          const history: ReturnType<typeof messages> = [];
          for (let t = -Math.ceil(window / 2); t < 0; t++) history.push(...messages(t));
          // The layout addMessage leaves: LPUSH one by one, so the newest comes first.
          const stored = toStored(history.slice(-window)).map((message) => JSON.stringify(message));
          await redis.multi().del(key).lPush(key, stored).expire(key, ttlSeconds).exec();
        },
        async turn(chat: Chat, turn: number) {
          const history = await session(chat.replyTo(turn), chat).getMessages();
          const reply = session(chat.reply(turn), chat);
          await reply.clear();
          await reply.addMessages([...history, ...messages(turn)].slice(-window));
        },
        async storedTexts(chat: Chat, turn: number) {
          const messagesNow = await session(chat.reply(turn), chat).getMessages();
          return messagesNow.map((message) => String(message.content));
        },
        async close() {},
      };
    },
    async close() {
      await client?.quit().catch(() => {});
      client = undefined;
    },
  };
}

async function load() {
  try {
    const [{ RedisChatMessageHistory }, messages, { createClient }] = await Promise.all([
      import("@langchain/redis"),
      import("@langchain/core/messages"),
      import("redis"),
    ]);
    return {
      RedisChatMessageHistory,
      HumanMessage: messages.HumanMessage,
      AIMessage: messages.AIMessage,
      toStored: messages.mapChatMessagesToStoredMessages,
      createClient,
    };
  } catch (error) {
    throw new RowUnavailable(
      `@langchain/redis could not be loaded (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
