import type { AgentInputItem } from "@openai/agents";
import { StoreError, StoreShapeError } from "../errors";
import { replyKey } from "../keys";
import { describeCause } from "../logger";
import type { SessionStore, StoreCheck } from "../store/contract";
import type { RedisLayout } from "./layout";
import { refusesCredentials, refusesForClusterMode } from "./refusals";

/** What a Redis-layout store's `check()` found. */
export interface RedisStoreCheck extends StoreCheck {
  /** The layout in use after the check (`"copy"` where the server refuses the chained one). */
  layout: RedisLayout;
  /** False when the server refuses a write after TIME in a script: writes go without the fence. */
  fenced: boolean;
}

/** What the check needs of the store: its public operations and what it adapted to. */
export interface CheckedStore {
  readonly keyPrefix: string;
  readonly layout: RedisLayout;
  readonly fenced: boolean;
  fork: SessionStore["fork"];
  transact: NonNullable<SessionStore["transact"]>;
  readStored(key: string): Promise<{ items: AgentInputItem[]; elements: string[] }>;
  clear(key: string): Promise<void>;
}

/** The scratch keys' prefix: reply keys of a chat no bot has (a random id per check). */
const CHECK_PREFIX = "agents-memory-check";
const TTL_SECONDS = 60;

const turn = (n: number): AgentInputItem[] => [
  { role: "user", content: `check ${n}` },
  { role: "assistant", status: "completed", content: [{ type: "output_text", text: `ok ${n}` }] },
];

/**
 * The start-up check of a store on the Redis layout: writes a reply (`fork` with no parent),
 * forks a second reply from it, reads the second back (all four items, in order), applies one
 * history transaction (the runner's write, with its operation record beside the history) and
 * deletes all three with their records, under scratch keys of a random chat: every kind of key
 * a session writes, so a key the server cannot take with the others (another Cluster slot) is
 * found here. A refusal the store can adapt to (scripts
 * touching undeclared keys, a write after TIME) is adapted to by the store during the run,
 * with its warning; the run is then repeated once on the adapted store.
 * @param name - the store's name, e.g. "ioredis", for the messages.
 * @param roundTrip - one command's round trip, measured (ms); rejects when unreachable.
 * @param warnings - the warnings the store logged during the check, read after it.
 * @throws StoreShapeError for a shape that cannot work (credentials, cluster mode, a history
 * that does not read back whole); the store's `StoreError` when the server is unreachable.
 */
export async function checkRedisLayoutStore(
  name: string,
  store: CheckedStore,
  roundTrip: () => Promise<number>,
  warnings: () => string[],
): Promise<RedisStoreCheck> {
  const chat = Math.floor(Math.random() * 2 ** 40) + 1;
  const first = replyKey(1, chat, CHECK_PREFIX);
  const second = replyKey(2, chat, CHECK_PREFIX);
  const session = `${CHECK_PREFIX}:${chat}:session`;
  const options = { maxItems: 10, ttlSeconds: TTL_SECONDS };
  try {
    const roundTripMs = await roundTrip();
    let got: AgentInputItem[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const adapted = [store.layout, store.fenced].join();
      await store.fork(null, [first], turn(1), { ...options, parentItems: [] });
      const parent = await store.readStored(first);
      await store.fork(first, [second], turn(2), {
        ...options,
        parentItems: parent.items,
        parentElements: parent.elements,
      });
      got = (await store.readStored(second)).items;
      if (JSON.stringify(got) === JSON.stringify([...turn(1), ...turn(2)])) {
        const transaction = { type: "append_items" as const, items: turn(1) };
        const operation = { operationId: "check", fingerprint: "check", ttlSeconds: TTL_SECONDS };
        await store.transact(session, transaction, operation);
        for (const key of [first, second, session]) await store.clear(key);
        const adaptations = warnings();
        return {
          summary: `${name} store check passed: wrote, forked and read a two-turn chain and applied a transaction under ${store.keyPrefix}${CHECK_PREFIX}:*; layout ${store.layout}, write fence ${store.fenced ? "on" : "OFF"}, round trip ${roundTripMs.toFixed(1)} ms${adaptations.length > 0 ? ` (${adaptations.length} warning${adaptations.length > 1 ? "s" : ""})` : ""}`,
          roundTripMs,
          layout: store.layout,
          fenced: store.fenced,
          warnings: adaptations,
        };
      }
      // The store adapted during this run (a refusal it recognised): run it again as adapted.
      if ([store.layout, store.fenced].join() === adapted) break;
    }
    throw new StoreShapeError(
      "history",
      `[agents-memory] [${name}] the store check read ${got.length} of 4 items back from a two-turn chain (${store.layout} layout, key ${store.keyPrefix}${second}): history would be lost; a key prefix the client adds behind the store's back, or a proxy that rewrites keys?`,
    );
  } catch (error) {
    throw shapeOf(name, error);
  } finally {
    await Promise.allSettled([first, second, session].map((key) => store.clear(key)));
  }
}

/** A refusal that no retry will fix, as a `StoreShapeError`; anything else as it was. */
function shapeOf(name: string, error: unknown): unknown {
  if (StoreShapeError.isInstance(error)) return error;
  const cause = StoreError.isInstance(error) && error.cause !== undefined ? error.cause : error;
  if (refusesCredentials(cause)) {
    return new StoreShapeError(
      "credentials",
      `[agents-memory] [${name}] the server refused the credentials (${describeCause(cause)}): check the password, user or token`,
      { cause: error },
    );
  }
  if (refusesForClusterMode(cause)) {
    return new StoreShapeError(
      "cluster-mode",
      `[agents-memory] [${name}] the server runs in cluster mode (${describeCause(cause)}): connect with a Cluster client (a redis+cluster:// URL)`,
      { cause: error },
    );
  }
  return error;
}
