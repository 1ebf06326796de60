/** What one soak run does: its size, its store, and when each fault strikes. */

export type StoreVariant = "redis" | "upstash" | "cluster";
export const STORE_VARIANTS: StoreVariant[] = ["redis", "upstash", "cluster"];

export interface SoakPlan {
  mode: "quick" | "full";
  store: StoreVariant;
  chats: number;
  turnsPerChat: number;
  /** Messages a chat may have unanswered at once (the next one replies to the newest answer). */
  window: number;
  /** Sending is spread over this many ms; faults are placed on the same clock. */
  trafficMs: number;
  /** Milliseconds after the start, for how long: Redis frozen (SIGSTOP, then SIGCONT). */
  pause: { atMs: number; forMs: number };
  /** Milliseconds after the start, for how long: Redis killed (SIGKILL), then restarted. */
  kill: { atMs: number; downMs: number };
  /** Milliseconds after the start, for how long: every core kept busy; absent: no CPU phase. */
  cpu?: { atMs: number; forMs: number };
  /** A message unanswered this long after the last one was sent counts as lost. */
  answerTimeoutMs: number;
  /** The whole run (servers, bot, traffic, checks) is abandoned after this many ms. */
  maxRunMs: number;
}

/** A few dozen turns on a single node, with a pause and a kill: well under a minute, for CI. */
export const QUICK: Omit<SoakPlan, "store"> = {
  mode: "quick",
  chats: 6,
  turnsPerChat: 8,
  window: 2,
  trafficMs: 12_000,
  pause: { atMs: 2_500, forMs: 2_500 },
  kill: { atMs: 7_000, downMs: 1_500 },
  answerTimeoutMs: 15_000,
  maxRunMs: 55_000,
};

/** The shape (200 chats x 5 turns), with a CPU-load phase after the Redis faults. */
export const FULL: Omit<SoakPlan, "store"> = {
  mode: "full",
  chats: 200,
  turnsPerChat: 5,
  window: 2,
  trafficMs: 45_000,
  pause: { atMs: 8_000, forMs: 8_000 },
  kill: { atMs: 22_000, downMs: 4_000 },
  cpu: { atMs: 31_000, forMs: 8_000 },
  answerTimeoutMs: 30_000,
  maxRunMs: 150_000,
};

export function planFor(options: {
  quick: boolean;
  store: StoreVariant;
  chats?: number;
  turns?: number;
}): SoakPlan {
  const base = options.quick ? QUICK : FULL;
  return {
    ...base,
    store: options.store,
    chats: options.chats ?? base.chats,
    turnsPerChat: options.turns ?? base.turnsPerChat,
  };
}
