import type { AgentInputItem } from "@openai/agents";
import type { MemoryLogger } from "./logger";
import { assertMaxItems, assertTtlSeconds } from "./policy";

export interface AppendOptions {
  /** Keep only the newest `maxItems` items after appending. */
  maxItems: number;
  /** The key's TTL after the write, in seconds (refreshed on every write). */
  ttlSeconds: number;
}

export interface ForkOptions {
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
}

/**
 * The backend contract: the few primitives a store must give. On a network store each
 * operation is one round trip and atomic where it writes. Values are JSON per item; a stored
 * element that is not a JSON object is skipped (and logged), never a crash.
 */
export interface SessionStore {
  /** The items under `key`, oldest first; with `limit`, only the newest `limit`. Missing key: []. */
  read(key: string, limit?: number): Promise<AgentInputItem[]>;
  /** Replace whatever is under `key` with `items`, with a TTL. Empty `items` deletes the key. */
  replace(key: string, items: readonly AgentInputItem[], ttlSeconds: number): Promise<void>;
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
  pop(key: string): Promise<AgentInputItem | undefined>;
  /** Delete the key. */
  clear(key: string): Promise<void>;
  /** Release what the store owns (connections it opened). A client passed in is left open. */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Helpers every adapter shares, so that each adapter stays a thin layer over its client.
// ---------------------------------------------------------------------------------------------

export function assertStoreKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > 1024) {
    throw new TypeError(
      `[agents-memory] a store key must be a non-empty string of at most 1024 chars`,
    );
  }
}

export function assertLimit(limit: unknown): asserts limit is number | undefined {
  if (limit === undefined) return;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(
      `[agents-memory] read limit must be a non-negative integer, got ${String(limit)}`,
    );
  }
}

export function assertItems(items: unknown): asserts items is readonly AgentInputItem[] {
  if (!Array.isArray(items)) {
    throw new TypeError(`[agents-memory] items must be an array`);
  }
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new TypeError(`[agents-memory] every item must be a JSON object`);
    }
  }
}

export function assertAppendOptions(options: AppendOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError("[agents-memory] options { maxItems, ttlSeconds } are required");
  }
  assertMaxItems(options.maxItems);
  assertTtlSeconds(options.ttlSeconds);
}

/** Validates a fork call; returns the child keys without duplicates. */
export function validateFork(
  parentKey: string | null,
  childKeys: readonly string[],
  newItems: readonly AgentInputItem[],
  options: ForkOptions,
): string[] {
  if (parentKey !== null) assertStoreKey(parentKey);
  if (!Array.isArray(childKeys) || childKeys.length === 0) {
    throw new TypeError("[agents-memory] fork needs at least one child key");
  }
  for (const key of childKeys) assertStoreKey(key);
  assertItems(newItems);
  assertAppendOptions(options);
  assertItems(options.parentItems);
  return [...new Set(childKeys)];
}

/** One JSON string per item: the stored form of every store. */
export function serializeItems(items: readonly AgentInputItem[]): string[] {
  return items.map((item) => JSON.stringify(item));
}

/**
 * Parses stored elements, skipping (and logging once per read) any that is not a JSON object.
 * A store never crashes on data another program or an older version left behind.
 */
export function parseStoredElements(
  elements: readonly unknown[],
  context: { key: string; logger: MemoryLogger; store: string },
): AgentInputItem[] {
  const items: AgentInputItem[] = [];
  let skipped = 0;
  for (const element of elements) {
    const item = parseElement(element);
    if (item === undefined) skipped++;
    else items.push(item);
  }
  if (skipped > 0) {
    context.logger.warn(
      { store: context.store, key: context.key, skipped },
      "skipped stored elements that are not JSON objects",
    );
  }
  return items;
}

function parseElement(element: unknown): AgentInputItem | undefined {
  let value: unknown = element;
  if (typeof element === "string") {
    try {
      value = JSON.parse(element);
    } catch {
      return undefined;
    }
  } else if (element instanceof Uint8Array) {
    return parseElement(new TextDecoder().decode(element));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return value as AgentInputItem;
}

/**
 * Reads a legacy value: a JSON array in a plain string, as the Python bot's cache wrote it.
 * Anything else yields [] and a warning.
 */
export function parseLegacyValue(
  value: unknown,
  context: { key: string; logger: MemoryLogger; store: string },
): AgentInputItem[] {
  const text = value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
  let parsed: unknown;
  try {
    parsed = typeof text === "string" ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    context.logger.warn(
      { store: context.store, key: context.key },
      "a string under the key is not a JSON array of items; read as empty",
    );
    return [];
  }
  return parseStoredElements(parsed, context);
}

/**
 * The check a network store makes before copying a parent server-side instead of resending
 * it: the SHA-1 of the oldest and of the newest item's JSON, concatenated (80 hex chars; ""
 * for no items). The store's script compares it, with the item count, against
 * `redis.sha1hex(LINDEX parent -n) .. redis.sha1hex(LINDEX parent -1)`: O(1) work on the
 * server and on the client, whatever the history's size. Hashing every item would prove more
 * and cost a pass over the whole history on both sides each turn (measured: most of Redis's
 * CPU per turn at 200 x 4 KB items). What it cannot see: a rewrite of the parent that keeps
 * its length and its first and last items — no writer in this library produces one (a reply's
 * parent is never rewritten; an append changes the newest item, a pop the length).
 * Uses WebCrypto so it runs on Node, edge runtimes and workers alike.
 */
export async function fingerprintItems(items: readonly AgentInputItem[]): Promise<string> {
  if (items.length === 0) return "";
  const [first, last] = [items[0]!, items[items.length - 1]!].map((item) => JSON.stringify(item));
  return (await sha1Hex(first!)) + (await sha1Hex(last!));
}

type NodeCrypto = {
  createHash(algorithm: string): { update(text: string): { digest(encoding: "hex"): string } };
};

/** Node's own hash when the runtime has it (synchronous, no thread-pool hop); WebCrypto elsewhere. */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;

export async function sha1Hex(text: string): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash("sha1").update(text).digest("hex");
  const digest = await globalThis.crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
