import type { RedisArgument } from "./commands";

/*
 * What a chained read found, kept for the fork that follows it: the fork then declares the
 * keys holding the parent's history instead of walking them again (see FORK_CHAIN in `./lua`).
 * The script checks what it relies on (the parent's link, the fingerprint), so a stale hint
 * costs a walk or a full write, never a wrong link.
 */

/** The lists a chained read walked, as READ_CHAIN returns them. */
export interface ChainHint {
  /** The first key's link as the read found it; "" when the read followed none there. */
  head: string;
  /** Each list walked, newest first. */
  lists: ChainHintList[];
}

/** One list a chained read walked. */
export interface ChainHintList {
  /** Its key as Redis names it (with any client's key prefix). */
  key: string;
  /** How many of its newest elements the read returned. */
  count: number;
}

/** FORK_CHAIN's KEYS and ARGV (see {@link forkChainRequest}). */
export interface ForkChainRequest {
  /** The keys to declare. */
  keys: string[];
  /** The arguments, the write fence's deadline first. */
  args: RedisArgument[];
}

/** The hint in READ_CHAIN's reply (its last two fields), or undefined when malformed. */
export function chainHintOf(head: unknown, flat: unknown): ChainHint | undefined {
  if (!Array.isArray(flat) || flat.length % 2 !== 0) return undefined;
  const lists: ChainHintList[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const count = Number(flat[i + 1]);
    if (!Number.isInteger(count) || count < 0) return undefined;
    lists.push({ key: String(flat[i]), count });
  }
  return { head: typeof head === "string" ? head : "", lists };
}

/**
 * The hints of the latest chained reads, by Redis key, the newest 1024 kept: a reply's read
 * and its fork run in one process, moments apart.
 */
export class ChainHints {
  readonly #hints = new Map<string, ChainHint>();

  /** Keeps the hint of a read of `key` (replacing an older one). */
  set(key: string, hint: ChainHint): void {
    this.#hints.delete(key);
    this.#hints.set(key, hint);
    if (this.#hints.size > MAX_HINTS) this.#hints.delete(this.#hints.keys().next().value!);
  }

  /** The hint of the latest read of `key` kept, if any. */
  get(key: string): ChainHint | undefined {
    return this.#hints.get(key);
  }
}

const MAX_HINTS = 1024;

/** What a FORK_CHAIN call needs beside the hint. */
export interface ForkChainCall {
  /** The parent's key, as the client sends it (without the client's own key prefix). */
  parent: string;
  /** The children's keys, as the client sends them. */
  children: readonly string[];
  /** How many items the caller read from the parent (n). */
  count: number;
  /** Their fingerprint (see `fingerprintElements`). */
  fingerprint: string;
  /** How many of them, the newest, the children's window keeps (k, 1 <= k <= n). */
  keep: number;
  /** The children's TTL in seconds (0: none). */
  ttlSeconds: number;
  /** The write fence's deadline in the server's clock (0: none). */
  deadline: number;
  /** The link element naming the parent and `keep` (without a floor). */
  link: string;
  /** False when the server refuses writes after TIME: the links then carry no floor. */
  clock: boolean;
  /** What the client prepends to every key it sends (ioredis's `keyPrefix`). */
  clientKeyPrefix: string;
  /** The new elements. */
  fresh: readonly string[];
}

/**
 * FORK_CHAIN's KEYS and ARGV from a read's hint, or undefined when the hint does not hold the
 * `count` items, was not read at `parent`, or names a child (the fork then writes in full).
 */
export function forkChainRequest(
  hint: ChainHint,
  call: ForkChainCall,
): ForkChainRequest | undefined {
  const { clientKeyPrefix: prefix } = call;
  if (hint.lists[0]?.key !== prefix + call.parent) return undefined;
  const others: string[] = [];
  const counts: number[] = [];
  let left = call.count;
  for (const [index, { key, count }] of hint.lists.entries()) {
    if (left <= 0) break;
    if (!key.startsWith(prefix)) return undefined;
    if (index > 0) others.push(key.slice(prefix.length));
    counts.push(Math.min(count, left));
    left -= count;
  }
  if (left > 0) return undefined;
  if (call.children.some((child) => child === call.parent || others.includes(child))) {
    return undefined;
  }
  return {
    keys: [call.parent, ...call.children, ...others],
    args: [
      call.deadline,
      call.ttlSeconds,
      call.count,
      call.fingerprint,
      call.keep,
      call.link,
      call.children.length,
      hint.head,
      call.clock ? 1 : 0,
      ...counts,
      ...call.fresh,
    ],
  };
}
