import type { AgentInputItem } from "@openai/agents";
import type { MemoryLogger } from "./logger";
import { assertMaxItems, assertTtlSeconds, trimCut } from "./policy";

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
  items: AgentInputItem[];
  elements: StoredElement[];
}

const utf8 = new TextDecoder();

/** The JSON text of a stored element (bytes are decoded as UTF-8). */
export function elementText(element: StoredElement): string {
  return typeof element === "string" ? element : utf8.decode(element);
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
  // With the stored JSON at hand, parentItems is not needed (and not parsed to check it).
  if (options.parentElements !== undefined) assertElements(options.parentElements);
  else assertItems(options.parentItems);
  return [...new Set(childKeys)];
}

function assertElements(elements: unknown): asserts elements is readonly StoredElement[] {
  if (
    !Array.isArray(elements) ||
    elements.some((element) => typeof element !== "string" && !(element instanceof Uint8Array))
  ) {
    throw new TypeError(
      `[agents-memory] parentElements must be an array of JSON strings or their UTF-8 bytes`,
    );
  }
}

/** The parent of a fork as stored JSON: `parentElements` when given, else serialized. */
export function parentElementsOf(options: ForkOptions): readonly StoredElement[] {
  return options.parentElements ?? serializeItems(options.parentItems);
}

/** A read of nothing (fresh arrays: callers may push to them). */
export function emptyStored(): StoredItems {
  return { items: [], elements: [] };
}

/** The newest `limit` of a read (all when undefined), both arrays alike. */
export function newestStored(stored: StoredItems, limit: number | undefined): StoredItems {
  if (limit === undefined || stored.items.length <= limit) return stored;
  if (limit === 0) return emptyStored();
  return { items: stored.items.slice(-limit), elements: stored.elements.slice(-limit) };
}

/**
 * `store.readStored` when the store has it; otherwise `read`, serialized here (one extra
 * pass, only for a store that does not keep JSON).
 */
export async function readStoredItems(
  store: SessionStore,
  key: string,
  limit?: number,
): Promise<StoredItems> {
  if (typeof store.readStored === "function") return store.readStored(key, limit);
  const items = await store.read(key, limit);
  return { items, elements: serializeItems(items) };
}

/** True when a stored element is a reasoning item's JSON (see `keptMask` in the policy). */
export function isReasoningElement(element: StoredElement): boolean {
  const text = elementText(element);
  if (!text.includes('"reasoning"')) return false;
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type === "reasoning";
  } catch {
    return false;
  }
}

/** The newest `max` stored elements, cut as `trimItems` cuts items (see `trimCut`). */
export function trimElements<T extends StoredElement>(elements: readonly T[], max: number): T[] {
  return elements.slice(trimCut(elements.length, max, (i) => isReasoningElement(elements[i]!)));
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
  return parseStoredItems(elements, context).items;
}

/** {@link parseStoredElements}, keeping each kept item's JSON beside it. */
export function parseStoredItems(
  elements: readonly unknown[],
  context: { key: string; logger: MemoryLogger; store: string },
): StoredItems {
  const stored = emptyStored();
  let skipped = 0;
  for (const element of elements) {
    const item =
      typeof element === "string" || element instanceof Uint8Array
        ? parseElement(elementText(element))
        : undefined;
    if (item === undefined) {
      skipped++;
    } else {
      stored.items.push(item);
      // Kept as read: bytes stay bytes (off the heap), see StoredElement.
      stored.elements.push(element as StoredElement);
    }
  }
  if (skipped > 0) {
    context.logger.warn(
      { store: context.store, key: context.key, skipped },
      "skipped stored elements that are not JSON objects",
    );
  }
  return stored;
}

/** One stored element parsed, or undefined when it is not a JSON object (not logged). */
export function parseStoredElement(element: unknown): AgentInputItem | undefined {
  return typeof element === "string" || element instanceof Uint8Array
    ? parseElement(elementText(element))
    : undefined;
}

function parseElement(text: string): AgentInputItem | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
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
  return parseLegacyStored(value, context).items;
}

/** {@link parseLegacyValue}, keeping each item's JSON beside it. */
export function parseLegacyStored(
  value: unknown,
  context: { key: string; logger: MemoryLogger; store: string },
): StoredItems {
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
    return emptyStored();
  }
  // The blob's items are JSON values already; as elements they go through the one parser.
  const elements = parsed.map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : v));
  return parseStoredItems(elements, context);
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
  return fingerprintElements([items[0]!, items[items.length - 1]!].map((i) => JSON.stringify(i)));
}

/** {@link fingerprintItems} of items already in their stored JSON form. */
export async function fingerprintElements(elements: readonly StoredElement[]): Promise<string> {
  if (elements.length === 0) return "";
  return (await sha1Hex(elements[0]!)) + (await sha1Hex(elements[elements.length - 1]!));
}

type NodeCrypto = {
  createHash(algorithm: string): {
    update(data: StoredElement): { digest(encoding: "hex"): string };
  };
  /** One-shot, no Hash object (Node >= 20.12): about 40% faster for a 1 KB item. */
  hash?(algorithm: string, data: StoredElement, encoding: "hex"): string;
};

/** Node's own hash when the runtime has it (synchronous, no thread-pool hop); WebCrypto elsewhere. */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;

/** SHA-1 in hex of a string's UTF-8 bytes, or of the bytes given. */
export async function sha1Hex(data: StoredElement): Promise<string> {
  if (nodeCrypto?.hash) return nodeCrypto.hash("sha1", data, "hex");
  if (nodeCrypto) return nodeCrypto.createHash("sha1").update(data).digest("hex");
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await globalThis.crypto.subtle.digest("SHA-1", bytes);
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
