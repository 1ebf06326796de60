import type { AgentInputItem } from "@openai/agents";
import { consoleLogger, type MemoryLogger } from "./logger";
import { assertTtlSeconds } from "./policy";
import {
  type AppendOptions,
  assertAppendOptions,
  assertItems,
  assertLimit,
  assertStoreKey,
  elementText,
  emptyStored,
  type ForkOptions,
  newestStored,
  parentElementsOf,
  parseLegacyStored,
  parseLegacyValue,
  parseStoredElement,
  parseStoredItems,
  type SessionStore,
  type StoredItems,
  serializeItems,
  trimElements,
  validateFork,
} from "./store";

/** What one key holds: a list of JSON strings (the layout), or a legacy/foreign value. */
export type MemoryEntryValue =
  | { type: "list"; elements: string[] }
  | { type: "string"; value: string }
  | { type: "other" };

interface Entry {
  value: MemoryEntryValue;
  expiresAt: number; // epoch ms; Infinity for no TTL
}

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; inject a fake clock in tests. Default `Date.now`. */
  now?: () => number;
  /** How often expired keys are swept, in ms (0 disables the timer). Default 60 000. */
  sweepIntervalMs?: number;
  logger?: MemoryLogger;
}

/**
 * The embedded default store: a Map in this process, with the same semantics as the Redis
 * stores (JSON per item, TTL, trim). Items are stored serialized, so mutating an item after
 * writing it never changes what is stored, and every read returns fresh copies.
 * Expired keys are dropped on access and by a periodic sweep (an unref'd timer), so a
 * long-running process does not grow without bound.
 */
export class MemoryStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #logger: MemoryLogger;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? consoleLogger;
    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval > 0) {
      this.#sweeper = setInterval(() => this.sweep(), interval);
      this.#sweeper.unref?.();
    }
  }

  async read(key: string, limit?: number): Promise<AgentInputItem[]> {
    return (await this.readStored(key, limit)).items;
  }

  async readStored(key: string, limit?: number): Promise<StoredItems> {
    assertStoreKey(key);
    assertLimit(limit);
    const entry = this.#live(key);
    if (!entry) return emptyStored();
    const context = { key, logger: this.#logger, store: "memory" };
    const value = entry.value;
    if (value.type === "string")
      return newestStored(parseLegacyStored(value.value, context), limit);
    if (value.type !== "list") {
      this.#logger.warn(
        { store: "memory", key },
        "the key holds a value of another type; read as empty",
      );
      return emptyStored();
    }
    const elements =
      limit === undefined ? value.elements : limit === 0 ? [] : value.elements.slice(-limit);
    return parseStoredItems(elements, context);
  }

  async replace(key: string, items: readonly AgentInputItem[], ttlSeconds: number): Promise<void> {
    assertStoreKey(key);
    assertItems(items);
    assertTtlSeconds(ttlSeconds);
    if (items.length === 0) {
      this.#entries.delete(key);
      return;
    }
    this.#set(key, serializeItems(items), ttlSeconds);
  }

  async append(
    key: string,
    items: readonly AgentInputItem[],
    options: AppendOptions,
  ): Promise<void> {
    assertStoreKey(key);
    assertItems(items);
    assertAppendOptions(options);
    const entry = this.#live(key);
    // A legacy JSON-array string is converted to the list layout, keeping its items; a value
    // of a foreign type is replaced.
    let existing: string[] = [];
    if (entry?.value.type === "list") existing = entry.value.elements;
    else if (entry?.value.type === "string") {
      existing = serializeItems(
        parseLegacyValue(entry.value.value, { key, logger: this.#logger, store: "memory" }),
      );
    }
    const merged = trimElements([...existing, ...serializeItems(items)], options.maxItems);
    if (merged.length === 0) return;
    this.#set(key, merged, options.ttlSeconds);
  }

  async fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): Promise<void> {
    const keys = validateFork(parentKey, childKeys, newItems, options);
    // In-process there are no bytes to save: the result is exactly trim(parentItems + newItems).
    // Kept as strings, whatever form the parent's elements came in.
    const parent = parentElementsOf(options).map(elementText);
    const elements = trimElements([...parent, ...serializeItems(newItems)], options.maxItems);
    for (const key of keys) {
      if (elements.length === 0) this.#entries.delete(key);
      else this.#set(key, elements.slice(), options.ttlSeconds);
    }
  }

  async pop(key: string): Promise<AgentInputItem | undefined> {
    assertStoreKey(key);
    const entry = this.#live(key);
    const context = { key, logger: this.#logger, store: "memory" };
    if (entry?.value.type === "string") {
      // A legacy JSON-array string becomes the list layout minus its newest item, keeping its
      // expiry; one that holds no items is left alone (it reads as empty too).
      const items = parseLegacyValue(entry.value.value, context);
      const newest = items.pop();
      if (newest === undefined) return undefined;
      if (items.length === 0) this.#entries.delete(key);
      else entry.value = { type: "list", elements: serializeItems(items) };
      return newest;
    }
    if (entry?.value.type !== "list") return undefined;
    // Pop until a well-formed item comes off, as the Redis stores do.
    let skipped = 0;
    let item: AgentInputItem | undefined;
    while (item === undefined && entry.value.elements.length > 0) {
      item = parseStoredElement(entry.value.elements.pop());
      if (item === undefined) skipped++;
    }
    if (entry.value.elements.length === 0) this.#entries.delete(key);
    if (skipped > 0) {
      this.#logger.warn(
        { ...context, skipped },
        "pop dropped stored elements that are not JSON objects",
      );
    }
    return item;
  }

  async clear(key: string): Promise<void> {
    assertStoreKey(key);
    this.#entries.delete(key);
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Drops every expired key now; returns how many were dropped. */
  sweep(): number {
    const now = this.#now();
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Number of keys held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Test and migration aid: what a key holds and its remaining TTL in seconds (-2 missing, -1 none). */
  inspect(key: string): { value: MemoryEntryValue | null; ttlSeconds: number } {
    const entry = this.#live(key);
    if (!entry) return { value: null, ttlSeconds: -2 };
    const ttl =
      entry.expiresAt === Number.POSITIVE_INFINITY
        ? -1
        : Math.ceil((entry.expiresAt - this.#now()) / 1000);
    return { value: structuredClone(entry.value), ttlSeconds: ttl };
  }

  /** Test and migration aid: put a raw value under a key (e.g. a legacy JSON string). */
  plant(key: string, value: MemoryEntryValue, ttlSeconds?: number): void {
    assertStoreKey(key);
    this.#entries.set(key, {
      value: structuredClone(value),
      expiresAt:
        ttlSeconds === undefined ? Number.POSITIVE_INFINITY : this.#now() + ttlSeconds * 1000,
    });
  }

  /** Keys currently live, for tests that check nothing else was written. */
  keys(): string[] {
    return [...this.#entries.keys()].filter((key) => this.#live(key));
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #set(key: string, elements: string[], ttlSeconds: number): void {
    this.#entries.set(key, {
      value: { type: "list", elements },
      expiresAt: this.#now() + ttlSeconds * 1000,
    });
  }
}
