import type { AgentInputItem } from "@openai/agents";

/** Options every write takes. */
export interface WriteOptions {
  /**
   * When the caller gives up, in ms since the epoch (`Date.now()`'s clock). A store must not
   * apply the write after it: the Redis stores send it as a deadline in the server's clock
   * that their scripts enforce. The store's own budget applies too; the earlier one wins.
   */
  deadline?: number;
}

export interface AppendOptions extends WriteOptions {
  /** Keep only the newest `maxItems` items after appending. */
  maxItems: number;
  /** The key's TTL after the write, in seconds (refreshed on every write). */
  ttlSeconds: number;
}

export interface ForkOptions extends WriteOptions {
  /** Each child keeps only the newest `maxItems` items of `parent + newItems`. */
  maxItems: number;
  /** Each child key's TTL, in seconds. */
  ttlSeconds: number;
  /**
   * The parent's items as the caller read them (the history the run saw). The children get
   * exactly `trim(parentItems + newItems)`. A store may copy the parent server-side instead of
   * sending these again, but only after checking the stored parent still equals them
   * (see {@link fingerprintItems}); otherwise it writes `parentItems`.
   */
  parentItems: readonly AgentInputItem[];
  /**
   * The same parent as stored: each item's JSON exactly as {@link SessionStore.readStored}
   * returned it. When given, a store fingerprints and writes these instead of `parentItems`:
   * nothing is serialized again, and a resent parent is byte-identical to what was read.
   */
  parentElements?: readonly StoredElement[];
}

/**
 * One item's JSON as a store read it: a string, or its UTF-8 bytes. A store may hand out the
 * bytes its client received (`@agents-memory/ioredis` does): they stay off the JS heap while a
 * turn holds them, which spares the garbage collector a copy of every history in flight.
 * {@link elementText} decodes either.
 */
export type StoredElement = string | Uint8Array;

/** A read with each item's stored JSON beside it: `items[i]` is `elements[i]`, parsed. */
export interface StoredItems {
  /** The items, oldest first, malformed elements skipped. */
  items: AgentInputItem[];
  /** Each item's JSON as stored, in the same order. */
  elements: StoredElement[];
}

/**
 * The backend contract: the few primitives a store must give. On a network store each
 * operation is one round trip and atomic where it writes. Values are JSON per item; a stored
 * element that is not a JSON object is skipped (and logged), never a crash.
 */
export interface SessionStore {
  /** The items under `key`, oldest first; with `limit`, only the newest `limit`. Missing key: []. */
  read(key: string, limit?: number): Promise<AgentInputItem[]>;
  /**
   * Optional: `read`, plus the stored JSON of each item. A session keeps the JSON (immutable)
   * and hands out the parsed items, so it never copies the history, and passes the JSON back
   * as `parentElements` on `fork`. A store that implements this must honour `parentElements`.
   */
  readStored?(key: string, limit?: number): Promise<StoredItems>;
  /** Replace whatever is under `key` with `items`, with a TTL. Empty `items` deletes the key. */
  replace(
    key: string,
    items: readonly AgentInputItem[],
    ttlSeconds: number,
    options?: WriteOptions,
  ): Promise<void>;
  /** Append `items`, keep the newest `maxItems`, refresh the TTL. */
  append(key: string, items: readonly AgentInputItem[], options: AppendOptions): Promise<void>;
  /**
   * The reply write: every key in `childKeys` gets `trim(parentItems + newItems)` with the TTL.
   * `parentKey` is where `parentItems` were read from (null when there was no parent).
   */
  fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): Promise<void>;
  /** Remove and return the newest item, or undefined when the key is empty or missing. */
  pop(key: string, options?: WriteOptions): Promise<AgentInputItem | undefined>;
  /** Delete the key. */
  clear(key: string, options?: WriteOptions): Promise<void>;
  /**
   * Optional: connect now, so the first call does not pay for it (the Redis stores also learn
   * the server's clock for their write fence). Rejects with the cause when the backend is not
   * reachable; calls still work once it is.
   */
  connect?(): Promise<void>;
  /** Release what the store owns (connections it opened). A client passed in is left open. */
  close?(): Promise<void>;
}
