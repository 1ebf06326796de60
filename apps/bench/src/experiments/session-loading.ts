/**
 * How the bot loads the history before the run, measured on row 1's turn: the runner's
 * `getItems()` alone (the SDK's own pattern), after `loadHistory()` (which hands the parsed
 * items out, so `getItems()` parses the history again), and after `load()` (which only counts).
 * 32 chats on one `IoRedisStore`, windows of 50 x 1 KB and 200 x 4 KB, three alternating rounds.
 * Run: `pnpm --filter @agents-memory/bench run session-loading`.
 */
import { ReplySession, silentLogger } from "@agents-memory/core";
import { failFastRedisOptions, IoRedisStore } from "@agents-memory/ioredis";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { Conversation } from "../content";

const CHATS = 32;
const SECONDS = 4;
const ROUNDS = 3;

type Loading = (session: ReplySession) => Promise<unknown>;
const loadings: Record<string, Loading> = {
  "getItems() only": (session) => session.getItems(),
  "loadHistory(), getItems()": async (session) => {
    await session.loadHistory();
    await session.getItems();
  },
  "load(), getItems()": async (session) => {
    await session.load();
    await session.getItems();
  },
};

const server = await startRedisServer();
const client = new Redis(server.url, failFastRedisOptions({ commandTimeoutMs: 5000 }));
const store = new IoRedisStore({ client, logger: silentLogger });
try {
  for (const [window, itemBytes] of [
    [50, 1024],
    [200, 4096],
  ] as const) {
    const conversation = new Conversation(itemBytes);
    const key = (messageId: number, chatId: number) => `bot:${messageId}:${chatId}`;
    const figures = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, loading] of Object.entries(loadings)) {
        const chatIds = Array.from({ length: CHATS }, (_, i) => 1000 + i);
        await Promise.all(
          chatIds.map((chatId) =>
            store.replace(key(1, chatId), conversation.history(0, window), 600),
          ),
        );
        let turns = 0;
        const end = Date.now() + SECONDS * 1000;
        const started = performance.now();
        await Promise.all(
          chatIds.map(async (chatId) => {
            for (let turn = 0; Date.now() < end; turn++) {
              // Each turn replies to the previous reply, over a ring of two keys (as `pnpm bench`).
              const session = new ReplySession({
                store,
                chatId,
                replyToMessageId: (turn % 2) + 1,
                maxItems: window,
                ttlSeconds: 600,
                timeoutMs: 5000,
                logger: silentLogger,
              });
              await loading(session);
              await session.addItems(conversation.newItems(turn));
              if (!(await session.persist([((turn + 1) % 2) + 1])).ok)
                throw new Error("write failed");
              turns++;
            }
          }),
        );
        const perSecond = turns / ((performance.now() - started) / 1000);
        figures.set(name, [...(figures.get(name) ?? []), perSecond]);
      }
    }
    console.log(`\n${window} items x ${itemBytes} B, ${CHATS} chats (turns/s, ${ROUNDS} rounds):`);
    for (const [name, values] of figures) {
      const rounded = values.map((v) => Math.round(v).toLocaleString("en-US"));
      console.log(`  ${name.padEnd(26)} ${rounded.join("  ")}`);
    }
  }
} finally {
  await store.close();
  client.disconnect();
  await server.stop();
}
