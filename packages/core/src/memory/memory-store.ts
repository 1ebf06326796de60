import type { AgentInputItem } from "@openai/agents";
import { HistoryConflictError } from "../errors";
import { storeCallError } from "../failure-rule";
import { consoleLogger, type MemoryLogger } from "../logger";
import {
  type AppendOptions,
  assertAppendOptions,
  assertClaimArgs,
  assertFunctionCallReplacement,
  assertItems,
  assertLimit,
  assertStoreKey,
  assertStoreTtl,
  assertTransaction,
  assertTransactOptions,
  assertWriteOptions,
  CHAIN_WALK_SLACK,
  type ClaimOptions,
  type ClaimResult,
  type ClaimStore,
  chainLinkElement,
  elementsWindowStart,
  type FinishClaimOptions,
  type ForkOptions,
  followLink,
  type HistoryGap,
  type HistoryTransaction,
  linkRefusal,
  parentElementsOf,
  parseStoredElement,
  parseStoredItems,
  type ReleaseClaimOptions,
  reportHistoryGap,
  type SessionStore,
  type StoredItems,
  serializeItems,
  type TransactOptions,
  trimElements,
  validateFork,
  type WriteOptions,
} from "../store";
import { endsWith, replaceFunctionCallIn } from "../store/history";
import {
  type AddUsageOptions,
  assertUsage,
  emptyUsage,
  TOKEN_USAGE_FIELDS,
  type TokenUsage,
} from "../store/usage";

interface Entry {
  /**
   * One JSON string per item, oldest first (never empty: an empty list is no key). A reply
   * key's first element may be a link to its parent (see `store/chain-link.ts`).
   */
  elements: string[];
  expiresAt: number; // epoch ms; Infinity for no TTL
}

/** The operation ids `transact` recorded with a key's history, as on Redis its companion hash. */
interface Operations {
  /** operationId -> fingerprint. */
  records: Map<string, string>;
  expiresAt: number; // epoch ms; Infinity for no TTL
}

/** A claim (see `store/claims.ts`): running for `holder`, or done (`holder` null). */
interface Claim {
  holder: string | null;
  expiresAt: number; // epoch ms
}

/** Options of {@link MemoryStore}; every one has a default. */
export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; inject a fake clock in tests. Default `Date.now`. */
  now?: () => number;
  /** How often expired keys are swept, in ms (0 disables the timer). Default 60 000. */
  sweepIntervalMs?: number;
  /** Where skipped malformed stored elements are reported. Default {@link consoleLogger}. */
  logger?: MemoryLogger;
}

/**
 * The embedded default store: a Map in this process, with the store contract's semantics
 * (JSON per item, TTL, trim). Items are stored serialized, so mutating an item after
 * writing it never changes what is stored, and every read returns fresh copies. Reply keys
 * share their parent's items as the Redis stores' chained layout does: a fork stores a link to
 * the parent and the new items only (see `store/chain-link.ts`), and a read walks the links.
 * Expired keys are dropped on access and by a periodic sweep (an unref'd timer), so a
 * long-running process does not grow without bound.
 */
export class MemoryStore implements SessionStore, ClaimStore {
  readonly #entries = new Map<string, Entry>();
  readonly #claims = new Map<string, Claim>();
  readonly #usage = new Map<string, { usage: TokenUsage; expiresAt: number }>();
  readonly #operations = new Map<string, Operations>();
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
    const context = { key, logger: this.#logger, store: "memory" };
    const { segments, gap } = this.#walk(key, limit ?? -1);
    reportHistoryGap(this.#logger, { store: "memory", key }, gap);
    const stored = parseStoredItems(elementsOf(segments), context);
    return gap ? { ...stored, gap } : stored;
  }

  async replace(
    key: string,
    items: readonly AgentInputItem[],
    ttlSeconds: number,
    options?: WriteOptions,
  ): Promise<void> {
    assertStoreKey(key);
    assertItems(items);
    assertStoreTtl(ttlSeconds);
    assertBeforeDeadline("replace", key, options);
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
    assertBeforeDeadline("append", key, options);
    const existing = this.#history(key, -1);
    const merged = trimElements(
      [...existing, ...serializeItems(items)],
      options.maxItems,
      options.maxTokens,
    );
    // An empty window empties the key, as the Redis layout's LTRIM does: keeping the old items
    // would freeze the history.
    if (merged.length === 0) this.#entries.delete(key);
    else this.#set(key, merged, options.ttlSeconds);
  }

  async fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): Promise<void> {
    const keys = validateFork(parentKey, childKeys, newItems, options);
    assertBeforeDeadline("fork", keys[0]!, options);
    const parent = [...parentElementsOf(options)];
    const fresh = serializeItems(newItems);
    const cut = elementsWindowStart([...parent, ...fresh], options.maxItems);
    const keep = parent.length - cut;
    if (parentKey !== null && keep > 0 && this.#link(parentKey, parent, keys)) {
      this.#refresh(parentKey, keep, options.ttlSeconds);
      const link = chainLinkElement({ take: keep, parent: parentKey });
      for (const key of keys) this.#set(key, [link, ...fresh], options.ttlSeconds);
      return;
    }
    // No parent to share, or not the one the caller read: the children hold the window in full.
    const elements = [...parent, ...fresh].slice(cut);
    for (const key of keys) {
      if (elements.length === 0) this.#entries.delete(key);
      else this.#set(key, elements.slice(), options.ttlSeconds);
    }
  }

  async pop(key: string, options?: WriteOptions): Promise<AgentInputItem | undefined> {
    assertStoreKey(key);
    assertBeforeDeadline("pop", key, options);
    const entry = this.#live(key);
    if (!entry) return undefined;
    this.#flatten(key, entry);
    // Pop until a well-formed item comes off, as the Redis stores do.
    let skipped = 0;
    let item: AgentInputItem | undefined;
    while (item === undefined && entry.elements.length > 0) {
      item = parseStoredElement(entry.elements.pop());
      if (item === undefined) skipped++;
    }
    if (entry.elements.length === 0) this.#entries.delete(key);
    if (skipped > 0) {
      this.#logger.warn(
        { store: "memory", key, skipped },
        "pop dropped stored elements that are not JSON objects",
      );
    }
    return item;
  }

  async clear(key: string, options?: WriteOptions): Promise<void> {
    assertStoreKey(key);
    assertBeforeDeadline("clear", key, options);
    this.#entries.delete(key);
    this.#operations.delete(key);
  }

  /**
   * `SessionStore.transact`: the history change and its operation record in one step (nothing
   * can interleave in this process). The record gets the history's expiry.
   */
  async transact(
    key: string,
    transaction: HistoryTransaction,
    options: TransactOptions,
  ): Promise<"applied" | "already-applied"> {
    assertStoreKey(key);
    assertTransaction(transaction);
    assertTransactOptions(options);
    assertBeforeDeadline("transact", key, options);
    const { operationId, fingerprint } = options;
    const operations = this.#liveOperations(key);
    const recorded = operations?.records.get(operationId);
    if (recorded !== undefined) {
      if (recorded === fingerprint) return "already-applied";
      throw new HistoryConflictError({ reason: "operation-reused", key, operationId });
    }
    // A reply key's history continues in its parent: the transaction applies to all of it.
    const existing = this.#history(key, -1);
    let elements: string[];
    if (transaction.type === "append_items") {
      elements = [...existing, ...serializeItems(transaction.items)];
    } else {
      if (!endsWith(existing, transaction.expectedSuffix)) {
        throw new HistoryConflictError({ reason: "suffix-mismatch", key, operationId });
      }
      elements = [
        ...existing.slice(0, existing.length - transaction.expectedSuffix.length),
        ...serializeItems(transaction.replacement),
      ];
    }
    if (options.maxItems !== undefined || options.maxTokens !== undefined) {
      elements = trimElements(
        elements,
        options.maxItems ?? Number.MAX_SAFE_INTEGER,
        options.maxTokens,
      );
    }
    const ttl = options.ttlSeconds ?? 0;
    const expiresAt = ttl > 0 ? this.#now() + ttl * 1000 : Number.POSITIVE_INFINITY;
    if (elements.length === 0) this.#entries.delete(key);
    else this.#entries.set(key, { elements, expiresAt });
    const records = new Map(operations?.records);
    records.set(operationId, fingerprint);
    this.#operations.set(key, { records, expiresAt });
    return "applied";
  }

  /** `SessionStore.replaceFunctionCall`; the key keeps its expiry. */
  async replaceFunctionCall(
    key: string,
    callId: string,
    replacement: AgentInputItem,
    options?: WriteOptions,
  ): Promise<boolean> {
    assertStoreKey(key);
    assertFunctionCallReplacement(callId, replacement);
    assertBeforeDeadline("replaceFunctionCall", key, options);
    const entry = this.#live(key);
    if (!entry) return false;
    this.#flatten(key, entry);
    const next = replaceFunctionCallIn(entry.elements, callId, JSON.stringify(replacement));
    if (!next) return false;
    entry.elements = next;
    return true;
  }

  /** `UsageStore.addUsage`: counters kept beside the histories, with their own TTL. */
  async addUsage(key: string, usage: TokenUsage, options: AddUsageOptions): Promise<void> {
    assertStoreKey(key);
    assertUsage(usage);
    assertStoreTtl(options?.ttlSeconds);
    assertBeforeDeadline("addUsage", key, options);
    const sum = await this.readUsage(key);
    for (const field of TOKEN_USAGE_FIELDS) sum[field] += usage[field];
    const ttl = options.ttlSeconds;
    this.#usage.set(key, {
      usage: sum,
      expiresAt: ttl > 0 ? this.#now() + ttl * 1000 : Number.POSITIVE_INFINITY,
    });
  }

  /** `UsageStore.readUsage`. */
  async readUsage(key: string): Promise<TokenUsage> {
    assertStoreKey(key);
    const entry = this.#usage.get(key);
    if (!entry) return emptyUsage();
    if (entry.expiresAt <= this.#now()) {
      this.#usage.delete(key);
      return emptyUsage();
    }
    return { ...entry.usage };
  }

  /** `ClaimStore.claim`: this process's claims only (a MemoryStore is one process). */
  async claim(key: string, options: ClaimOptions): Promise<ClaimResult> {
    assertClaimArgs(key, options, "leaseMs");
    assertBeforeDeadline("claim", key, options);
    const claim = this.#liveClaim(key);
    if (claim?.holder === null) return { state: "done" };
    if (claim && claim.holder !== options.holder) return { state: "held", holder: claim.holder };
    this.#claims.set(key, { holder: options.holder, expiresAt: this.#now() + options.leaseMs });
    return { state: "claimed" };
  }

  async renewClaim(key: string, options: ClaimOptions): Promise<boolean> {
    assertClaimArgs(key, options, "leaseMs");
    assertBeforeDeadline("renewClaim", key, options);
    const claim = this.#liveClaim(key);
    if (claim?.holder !== options.holder) return false;
    claim.expiresAt = this.#now() + options.leaseMs;
    return true;
  }

  async finishClaim(key: string, options: FinishClaimOptions): Promise<boolean> {
    assertClaimArgs(key, options, "keepMs");
    assertBeforeDeadline("finishClaim", key, options);
    const wasMine = this.#liveClaim(key)?.holder === options.holder;
    this.#claims.set(key, { holder: null, expiresAt: this.#now() + options.keepMs });
    return wasMine;
  }

  async releaseClaim(key: string, options: ReleaseClaimOptions): Promise<boolean> {
    assertClaimArgs(key, options, undefined);
    assertBeforeDeadline("releaseClaim", key, options);
    if (this.#liveClaim(key)?.holder !== options.holder) return false;
    this.#claims.delete(key);
    return true;
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
    for (const [key, operations] of this.#operations) {
      if (operations.expiresAt <= now) this.#operations.delete(key);
    }
    for (const [key, claim] of this.#claims) {
      if (claim.expiresAt <= now) this.#claims.delete(key);
    }
    return dropped;
  }

  /** Number of keys held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Test and migration aid: the elements under a key as stored (one JSON string per item,
   * oldest first; null when missing) and its remaining TTL in seconds (-2 missing, -1 none).
   */
  inspect(key: string): {
    /** One JSON string per item, oldest first; null when the key is missing. */
    elements: string[] | null;
    /** Remaining TTL in seconds: -2 when missing, -1 when it never expires. */
    ttlSeconds: number;
  } {
    const entry = this.#live(key);
    if (!entry) return { elements: null, ttlSeconds: -2 };
    const ttl =
      entry.expiresAt === Number.POSITIVE_INFINITY
        ? -1
        : Math.ceil((entry.expiresAt - this.#now()) / 1000);
    return { elements: [...entry.elements], ttlSeconds: ttl };
  }

  /**
   * Test and migration aid: put raw elements under a key, as another program might have
   * written them (malformed ones included). No elements deletes the key.
   */
  plant(key: string, elements: readonly string[], ttlSeconds?: number): void {
    assertStoreKey(key);
    if (!Array.isArray(elements) || elements.some((element) => typeof element !== "string")) {
      throw new TypeError("[agents-memory] plant takes an array of strings");
    }
    if (elements.length === 0) {
      this.#entries.delete(key);
      return;
    }
    this.#entries.set(key, {
      elements: [...elements],
      expiresAt:
        ttlSeconds === undefined ? Number.POSITIVE_INFINITY : this.#now() + ttlSeconds * 1000,
    });
  }

  /**
   * Test aid: the operation ids `transact` recorded with a key's history (operationId ->
   * fingerprint; null when none) and the record's remaining TTL in seconds (-2 missing, -1 none).
   */
  inspectOperations(key: string): {
    /** operationId -> fingerprint; null when no record is kept. */
    records: Record<string, string> | null;
    /** Remaining TTL in seconds: -2 when missing, -1 when it never expires. */
    ttlSeconds: number;
  } {
    const operations = this.#liveOperations(key);
    if (!operations) return { records: null, ttlSeconds: -2 };
    const ttl =
      operations.expiresAt === Number.POSITIVE_INFINITY
        ? -1
        : Math.ceil((operations.expiresAt - this.#now()) / 1000);
    return { records: Object.fromEntries(operations.records), ttlSeconds: ttl };
  }

  /** Keys currently live, for tests that check nothing else was written. */
  keys(): string[] {
    return [...this.#entries.keys()].filter((key) => this.#live(key));
  }

  #liveClaim(key: string): Claim | undefined {
    const claim = this.#claims.get(key);
    if (claim && claim.expiresAt <= this.#now()) {
      this.#claims.delete(key);
      return undefined;
    }
    return claim;
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

  #liveOperations(key: string): Operations | undefined {
    const operations = this.#operations.get(key);
    if (!operations) return undefined;
    if (operations.expiresAt <= this.#now()) {
      this.#operations.delete(key);
      return undefined;
    }
    return operations;
  }

  /**
   * The keys holding the newest `limit` items (-1: all) of the history under `key`, newest
   * first, each with the index its items start at (see `walk` in the Redis layout's
   * Lua, which this mirrors).
   */
  #segments(key: string, limit: number): Segment[] {
    return this.#walk(key, limit).segments;
  }

  /**
   * {@link #segments}, and where the walk stopped short (the Redis layout's `walk`, rule for
   * rule: links only as `followLink` allows, at most CHAIN_WALK_SLACK + 1 keys without items).
   */
  #walk(key: string, limit: number): { segments: Segment[]; gap?: HistoryGap } {
    const segments: Segment[] = [];
    const seen = new Set<string>();
    let idle = 0;
    let next: string = key;
    while (limit !== 0) {
      if (seen.has(next)) return { segments, gap: { kind: "cycle", at: next } };
      seen.add(next);
      const entry = this.#live(next);
      if (!entry) {
        const kind = segments.length > 0 ? "missing" : "absent";
        return { segments, gap: { kind, at: next } };
      }
      const step = followLink(next, entry.elements[0]);
      const length = entry.elements.length;
      let from = step.kind === "end" ? 0 : 1;
      if (limit >= 0 && length - from > limit) from = length - limit;
      segments.push({ key: next, entry, from });
      if (length === from) idle++;
      if (limit >= 0) limit -= length - from;
      if (step.kind === "end" || limit === 0) break;
      if (step.kind === "refused") {
        const gap: HistoryGap = { kind: "refused", at: next, detail: step.reason };
        if (step.parent !== undefined) gap.parent = step.parent;
        return { segments, gap };
      }
      if (idle > CHAIN_WALK_SLACK) return { segments, gap: { kind: "deep", at: next } };
      if (limit < 0 || step.link.take < limit) limit = step.link.take;
      next = step.link.parent;
    }
    return { segments };
  }

  /** The newest `limit` elements (-1: all) of the history under `key`, oldest first. */
  #history(key: string, limit: number): string[] {
    return elementsOf(this.#segments(key, limit));
  }

  /**
   * Before a change in place (pop, a function call's replacement): a key that links to its
   * parent becomes its whole history, so the change applies to what its reads return (the
   * Redis layout's `flatten`).
   */
  #flatten(key: string, entry: Entry): void {
    if (followLink(key, entry.elements[0]).kind !== "end") entry.elements = this.#history(key, -1);
  }

  /**
   * True when `children` may link to `parentKey`: each may (see `linkRefusal`), the newest
   * items of its history are `parent` (the caller's read, unchanged since), and no child is a
   * key they live in. The walk is `#walk`'s, so it never reaches past a refused link.
   */
  #link(parentKey: string, parent: readonly string[], children: string[]): boolean {
    if (children.some((child) => linkRefusal(child, parentKey))) return false;
    const walked = this.#segments(parentKey, parent.length);
    const history = elementsOf(walked);
    if (history.length !== parent.length || history.some((e, i) => e !== parent[i])) return false;
    if (walked.some((segment) => children.includes(segment.key))) return false;
    return true;
  }

  /** Raises the expiry of the keys the newest `keep` items of `parentKey`'s history live in. */
  #refresh(parentKey: string, keep: number, ttlSeconds: number): void {
    // TTL 0 means no expiry: the keys the window reads from must not expire either.
    const expiresAt = ttlSeconds > 0 ? this.#now() + ttlSeconds * 1000 : Number.POSITIVE_INFINITY;
    for (const { entry } of this.#segments(parentKey, keep)) {
      if (entry.expiresAt < expiresAt) entry.expiresAt = expiresAt;
    }
  }

  #set(key: string, elements: string[], ttlSeconds: number): void {
    this.#entries.set(key, {
      elements,
      expiresAt: ttlSeconds > 0 ? this.#now() + ttlSeconds * 1000 : Number.POSITIVE_INFINITY,
    });
  }
}

/** A list the walk read from, newest first, and the index its items start at. */
interface Segment {
  key: string;
  entry: Entry;
  from: number;
}

/** The elements of the segments of a walk, oldest first. */
function elementsOf(segments: readonly Segment[]): string[] {
  const elements: string[] = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    const { entry, from } = segments[i]!;
    for (let j = from; j < entry.elements.length; j++) elements.push(entry.elements[j]!);
  }
  return elements;
}

/** A write asked for after its caller's deadline is refused, as the Redis stores refuse it. */
function assertBeforeDeadline(operation: string, key: string, options: unknown): void {
  assertWriteOptions(options);
  const deadline = (options as WriteOptions | undefined)?.deadline;
  if (deadline !== undefined && Date.now() > deadline) {
    throw storeCallError({
      store: "memory",
      operation,
      key,
      reach: "not-sent",
      reason: "the deadline had passed",
    });
  }
}
