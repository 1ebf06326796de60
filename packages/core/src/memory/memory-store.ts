import type { AgentInputItem } from "@openai/agents";
import { HistoryConflictError } from "../errors";
import { storeCallError } from "../failure-rule";
import { consoleLogger, type MemoryLogger } from "../logger";
import {
  type AppendOptions,
  assertKnownOptions,
  assertStoreKey,
  type ClaimOptions,
  type ClaimResult,
  type ClaimStore,
  chainLinkElement,
  checkCall,
  elementsWindowStart,
  type FinishClaimOptions,
  type ForkOptions,
  type HistoryTransaction,
  optionNames,
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
  type WriteOptions,
} from "../store";
import { endsWith, OPERATIONS_PER_RECORD, replaceFunctionCallIn } from "../store/history";
import {
  type AddUsageOptions,
  emptyUsage,
  TOKEN_USAGE_FIELDS,
  type TokenUsage,
} from "../store/usage";
import {
  type Entry,
  elementsOf,
  flatten,
  historyOf,
  keepAlive,
  mayLink,
  walkChain,
} from "./chain-walk";
import { ExpiringMap, expiryAfter } from "./expiring-map";

/** The operation ids `transact` recorded with a key's history, as on Redis its companion hash. */
interface Operations {
  /** operationId -> fingerprint. */
  records: Map<string, string>;
  /** The record before, once `records` filled up (see `OPERATIONS_PER_RECORD`). */
  older?: Map<string, string>;
  expiresAt: number; // epoch ms; Infinity for no TTL
}

/** A claim (see `store/claims.ts`): running for `holder`, or done (`holder` null). */
interface Claim {
  holder: string | null;
  expiresAt: number; // epoch ms
}

/** A key's usage counters, with their own TTL. */
interface Usage {
  usage: TokenUsage;
  expiresAt: number; // epoch ms; Infinity for no TTL
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

/** Every name of {@link MemoryStoreOptions}: any other is refused. */
const MEMORY_STORE_OPTION_NAMES = optionNames<MemoryStoreOptions>({
  now: true,
  sweepIntervalMs: true,
  logger: true,
});

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
  readonly #entries: ExpiringMap<Entry>;
  readonly #claims: ExpiringMap<Claim>;
  readonly #usage: ExpiringMap<Usage>;
  readonly #operations: ExpiringMap<Operations>;
  readonly #now: () => number;
  readonly #logger: MemoryLogger;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    assertKnownOptions(options, MEMORY_STORE_OPTION_NAMES, { where: "memory" });
    const now = options.now ?? Date.now;
    this.#now = now;
    this.#entries = new ExpiringMap(now);
    this.#claims = new ExpiringMap(now);
    this.#usage = new ExpiringMap(now);
    this.#operations = new ExpiringMap(now);
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
    checkCall.read(key, limit);
    const context = { key, logger: this.#logger, store: "memory" };
    const { segments, gap } = walkChain(this.#entries, key, limit ?? -1);
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
    checkCall.replace(key, items, ttlSeconds, options);
    refuseAfterDeadline("replace", key, options);
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
    checkCall.append(key, items, options);
    refuseAfterDeadline("append", key, options);
    const existing = historyOf(this.#entries, key, -1);
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
    const keys = checkCall.fork(parentKey, childKeys, newItems, options);
    refuseAfterDeadline("fork", keys[0]!, options);
    const parent = [...parentElementsOf(options)];
    const fresh = serializeItems(newItems);
    const cut = elementsWindowStart([...parent, ...fresh], options.maxItems);
    const keep = parent.length - cut;
    if (parentKey !== null && keep > 0 && mayLink(this.#entries, parentKey, parent, keys)) {
      // TTL 0 means no expiry: the keys the window reads from must not expire either.
      keepAlive(this.#entries, parentKey, keep, expiryAfter(this.#now(), options.ttlSeconds));
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
    checkCall.pop(key, options);
    refuseAfterDeadline("pop", key, options);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    flatten(this.#entries, key, entry);
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
    checkCall.clear(key, options);
    refuseAfterDeadline("clear", key, options);
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
    checkCall.transact(key, transaction, options);
    refuseAfterDeadline("transact", key, options);
    const { operationId, fingerprint } = options;
    const operations = this.#operations.get(key);
    const recorded = operations?.records.get(operationId) ?? operations?.older?.get(operationId);
    if (recorded !== undefined) {
      if (recorded === fingerprint) return "already-applied";
      throw new HistoryConflictError({ reason: "operation-reused", key, operationId });
    }
    // A reply key's history continues in its parent: the transaction applies to all of it.
    const existing = historyOf(this.#entries, key, -1);
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
    const expiresAt = expiryAfter(this.#now(), options.ttlSeconds ?? 0);
    if (elements.length === 0) this.#entries.delete(key);
    else this.#entries.set(key, { elements, expiresAt });
    // As on Redis: a full record becomes the older one.
    const full = (operations?.records.size ?? 0) >= OPERATIONS_PER_RECORD;
    const records = full ? new Map<string, string>() : new Map(operations?.records);
    const older = full ? operations?.records : operations?.older;
    records.set(operationId, fingerprint);
    this.#operations.set(key, { records, ...(older ? { older } : {}), expiresAt });
    return "applied";
  }

  /** `SessionStore.replaceFunctionCall`; the key keeps its expiry. */
  async replaceFunctionCall(
    key: string,
    callId: string,
    replacement: AgentInputItem,
    options?: WriteOptions,
  ): Promise<boolean> {
    checkCall.replaceFunctionCall(key, callId, replacement, options);
    refuseAfterDeadline("replaceFunctionCall", key, options);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    flatten(this.#entries, key, entry);
    const next = replaceFunctionCallIn(entry.elements, callId, JSON.stringify(replacement));
    if (!next) return false;
    entry.elements = next;
    return true;
  }

  /** `UsageStore.addUsage`: counters kept beside the histories, with their own TTL. */
  async addUsage(key: string, usage: TokenUsage, options: AddUsageOptions): Promise<void> {
    checkCall.addUsage(key, usage, options);
    refuseAfterDeadline("addUsage", key, options);
    const sum = await this.readUsage(key);
    for (const field of TOKEN_USAGE_FIELDS) sum[field] += usage[field];
    this.#usage.set(key, { usage: sum, expiresAt: expiryAfter(this.#now(), options.ttlSeconds) });
  }

  /** `UsageStore.readUsage`. */
  async readUsage(key: string): Promise<TokenUsage> {
    checkCall.readUsage(key);
    const entry = this.#usage.get(key);
    return entry ? { ...entry.usage } : emptyUsage();
  }

  /** `ClaimStore.claim`: this process's claims only (a MemoryStore is one process). */
  async claim(key: string, options: ClaimOptions): Promise<ClaimResult> {
    checkCall.claim(key, options);
    refuseAfterDeadline("claim", key, options);
    const claim = this.#claims.get(key);
    if (claim?.holder === null) return { state: "done" };
    if (claim && claim.holder !== options.holder) return { state: "held", holder: claim.holder };
    this.#claims.set(key, { holder: options.holder, expiresAt: this.#now() + options.leaseMs });
    return { state: "claimed" };
  }

  async renewClaim(key: string, options: ClaimOptions): Promise<boolean> {
    checkCall.renewClaim(key, options);
    refuseAfterDeadline("renewClaim", key, options);
    const claim = this.#claims.get(key);
    if (claim?.holder !== options.holder) return false;
    claim.expiresAt = this.#now() + options.leaseMs;
    return true;
  }

  async finishClaim(key: string, options: FinishClaimOptions): Promise<boolean> {
    checkCall.finishClaim(key, options);
    refuseAfterDeadline("finishClaim", key, options);
    const wasMine = this.#claims.get(key)?.holder === options.holder;
    this.#claims.set(key, { holder: null, expiresAt: this.#now() + options.keepMs });
    return wasMine;
  }

  async releaseClaim(key: string, options: ReleaseClaimOptions): Promise<boolean> {
    checkCall.releaseClaim(key, options);
    refuseAfterDeadline("releaseClaim", key, options);
    if (this.#claims.get(key)?.holder !== options.holder) return false;
    this.#claims.delete(key);
    return true;
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Drops every expired key now; returns how many were dropped. */
  sweep(): number {
    this.#operations.sweep();
    this.#claims.sweep();
    this.#usage.sweep();
    return this.#entries.sweep();
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
    const entry = this.#entries.get(key);
    if (!entry) return { elements: null, ttlSeconds: -2 };
    return { elements: [...entry.elements], ttlSeconds: this.#entries.ttlSeconds(key) };
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
    const operations = this.#operations.get(key);
    if (!operations) return { records: null, ttlSeconds: -2 };
    const ttlSeconds = this.#operations.ttlSeconds(key);
    const records = Object.fromEntries([...(operations.older ?? []), ...operations.records]);
    return { records, ttlSeconds };
  }

  /** Keys currently live, for tests that check nothing else was written. */
  keys(): string[] {
    return this.#entries.liveKeys();
  }

  #set(key: string, elements: string[], ttlSeconds: number): void {
    this.#entries.set(key, { elements, expiresAt: expiryAfter(this.#now(), ttlSeconds) });
  }
}

/**
 * A write asked for after its caller's deadline is refused, as the Redis stores refuse it
 * (`options` already checked by `checkCall`).
 */
function refuseAfterDeadline(operation: string, key: string, options?: WriteOptions): void {
  const deadline = options?.deadline;
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
