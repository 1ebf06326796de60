import {
  type AgentInputItem,
  getLogger,
  type Session,
  type SessionHistoryRewriteArgs,
  type SessionHistoryTransactionArgs,
  UserError,
} from "@openai/agents";
import { HistoryConflictError } from "../errors";
import { type FailureReporting, type StoreOperation, storeCall } from "../guard";
import { compileFilter, keepItems, pairRole, tokenWindowLimit, windowStartBy } from "../policy";
import { readStoredWindow, type SessionStore } from "../store";
import { USAGE_SUFFIX } from "../store/companion-keys";
import type { HistoryTransaction } from "../store/contract";
import type { TokenUsage } from "../store/usage";
import { snapshotTransaction, transactionFingerprint } from "./history-transaction";
import { NOT_PLAIN_ITEMS, plainItems } from "./plain-json";
import { fromSdkLogger, isSdkLogger } from "./sdk-logger";
import { checkStoreSessionOptions, type StoreSessionOptions } from "./store-session-options";
import { type StoreSummary, storeSummaryOf } from "./store-summary";
import type { SummaryOutcome } from "./summary";
import { type SessionTokens, sessionTokens } from "./token-budget";
import { toTokenUsage, type UsageInput, usageStoreOf } from "./usage";
import { WrittenHistory } from "./written-history";

export { DEFAULT_STORE_SESSION_TIMEOUT_MS } from "./store-session-options";

/** The key `initialItems` are recorded under, so a restart never writes them twice. */
const INITIAL_ITEMS_OPERATION = "agents-memory:initial-items";

export type { StoreSessionOptions } from "./store-session-options";

/**
 * A durable `MemorySession`: the SDK's session, kept in a store under one stable key, so it
 * survives a process restart. `Runner.run(agent, input, { session })`.
 *
 * It takes `MemorySession`'s option names and defaults (every item kept, no trim, no expiry;
 * `maxItems`, `ttlSeconds` and `filter` opt in) and the SDK's failure norm: a failed store call
 * rejects (`failureMode: "degrade"` reads no history and skips the write instead). Where the
 * store offers the primitives (`transact`, `replaceFunctionCall`: `MemoryStore`, `IoRedisStore`,
 * `UpstashStore`), it also has the optional capabilities the 0.20 runner uses:
 * `applyHistoryTransaction` (atomic and idempotent by operation id, across processes) and
 * `applyHistoryMutations`; and always `replaceHistoryWithCompaction` (one atomic replace).
 * Both optional ones are methods a subclass may override and call through (`super`); on a store
 * without the primitive they are `undefined` on the instance, unless a subclass overrides them.
 *
 * Items must be plain JSON data (what a store gives back as written): a `Date`, a typed array, a
 * Symbol, a getter and the like reject with a `UserError` before anything is written, where
 * `MemorySession` would keep them in memory as they are.
 */
export class StoreSession implements Session {
  /** The store key the history lives under: `keyPrefix + sessionId`. */
  readonly key: string;
  /** The session's id (`getSessionId()`). */
  readonly sessionId: string;
  readonly #store: SessionStore;
  readonly #maxItems: number | undefined;
  readonly #tokens: SessionTokens | undefined;
  readonly #ttlSeconds: number | undefined;
  readonly #keep: ((item: AgentInputItem) => boolean) | undefined;
  readonly #degrade: boolean;
  readonly #timeoutMs: number;
  readonly #reporting: FailureReporting;
  readonly #initialItems: AgentInputItem[];
  readonly #summary: StoreSummary | undefined;
  #seeded: Promise<void> | undefined;
  readonly #written: WrittenHistory;

  constructor(options: StoreSessionOptions) {
    const { store, sessionId, key, timeoutMs } = checkStoreSessionOptions(options);
    this.sessionId = sessionId;
    this.key = key;
    this.#store = store;
    this.#maxItems = options.maxItems;
    this.#tokens = sessionTokens(options.maxTokens, options.tokenCounter);
    this.#ttlSeconds = options.ttlSeconds;
    this.#keep = options.filter === undefined ? undefined : compileFilter(options.filter);
    this.#degrade = options.failureMode === "degrade";
    this.#timeoutMs = timeoutMs;
    const logger = options.logger ?? getLogger("agents-memory");
    this.#reporting = {
      logger: isSdkLogger(logger) ? fromSdkLogger(logger) : logger,
      onStoreError: options.onStoreError,
    };
    this.#written = new WrittenHistory(this.key, options.ttlSeconds, this.#reporting.logger);
    this.#summary = storeSummaryOf(options.summary, {
      ...{ store, key: this.key, maxItems: options.maxItems, tokens: this.#tokens },
      ...{ ttlSeconds: options.ttlSeconds, timeoutMs, reporting: this.#reporting },
    });
    try {
      this.#initialItems = this.#kept(plainItems(options.initialItems ?? []));
    } catch {
      throw new TypeError(`[agents-memory] initialItems: ${NOT_PLAIN_ITEMS}`);
    }
    // The runner probes `typeof session.applyHistoryTransaction === "function"`: a capability the
    // store cannot honour is hidden on this instance, unless a subclass overrides the method
    // (then honouring it is the subclass's business).
    for (const [method, primitive] of OPTIONAL_CAPABILITIES) {
      if (
        typeof store[primitive] !== "function" &&
        this[method] === StoreSession.prototype[method]
      ) {
        Object.defineProperty(this, method, {
          value: undefined,
          configurable: true,
          writable: true,
        });
      }
    }
  }

  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  /**
   * The newest `limit` items (all when omitted, or the newest `maxItems`), oldest first, as
   * copies. The window is pair-safe, so it may hold fewer than `limit` items.
   */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    if (limit !== undefined && limit <= 0) return [];
    const max = this.#maxItems;
    const wanted = limit === undefined ? max : max === undefined ? limit : Math.min(limit, max);
    const budget = await this.#tokens?.budget();
    return this.#run("read", [], async (deadline) => {
      await this.#seed(deadline);
      if (this.#summary) {
        const window = await this.#summary.window(await this.#summary.read(), wanted);
        this.#written.read(window.length);
        return this.#kept(window);
      }
      const { items } = await readStoredWindow(this.#store, this.key, wanted, budget);
      this.#written.read(items.length);
      return this.#keep ? keepItems(items, this.#keep) : [...items];
    });
  }

  /** Appends copies of `items`; rejects with a `UserError` when they are not plain JSON. */
  async addItems(items: AgentInputItem[]): Promise<void> {
    const kept = await this.#counted(this.#kept(plainItems(items)));
    await this.#run("append", undefined, async (deadline) => {
      await this.#seed(deadline);
      if (kept.length === 0) return;
      await this.#store.append(this.key, kept, this.#writeOptions(deadline));
      this.#written.wrote();
    });
    this.#summary?.afterWrite();
  }

  /**
   * With `summary`: the summary in flight (started after a write, in the background), awaited;
   * its outcome, or undefined when none runs. Bounded by `summary.timeoutMs` and the store's
   * budget. Without `summary`: undefined.
   */
  async flushSummary(): Promise<SummaryOutcome | undefined> {
    return this.#summary?.flush();
  }

  /** The key this session's usage counters live under: `key + ":usage"`. */
  get usageKey(): string {
    return `${this.key}${USAGE_SUFFIX}`;
  }

  /**
   * Adds a run's usage (`result.state.usage`, or a `TokenUsage`) to this session's counters in
   * the same store (one atomic call; the session's TTL). Rejects with a TypeError when the
   * store keeps no usage; a store failure as every write does (`failureMode`).
   */
  async recordUsage(usage: UsageInput): Promise<void> {
    const store = usageStoreOf(this.#store);
    const add = toTokenUsage(usage);
    await this.#run("addUsage", undefined, (deadline) =>
      store.addUsage(this.usageKey, add, { ttlSeconds: this.#ttlSeconds ?? 0, deadline }),
    );
  }

  /** The usage recorded for this session, summed over its turns (zeros when none). */
  async getUsage(): Promise<TokenUsage> {
    const store = usageStoreOf(this.#store);
    return this.#run(
      "readUsage",
      { requests: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 },
      () => store.readUsage(this.usageKey),
    );
  }

  /** Removes and returns the newest item. A store failure rejects, in either failure mode. */
  async popItem(): Promise<AgentInputItem | undefined> {
    return this.#run(
      "pop",
      undefined,
      async (deadline) => {
        await this.#seed(deadline);
        this.#written.emptied();
        return this.#store.pop(this.key, { deadline });
      },
      true,
    );
  }

  /** Deletes the history (and its recorded operations). A store failure rejects, in either mode. */
  async clearSession(): Promise<void> {
    await this.#run(
      "clear",
      undefined,
      (deadline) => {
        this.#written.emptied();
        return this.#store.clear(this.key, { deadline });
      },
      true,
    );
    // Cleared means empty, as `MemorySession.clearSession()`: the initial items are not written again.
    this.#seeded = Promise.resolve();
  }

  /**
   * Replaces the whole history with `items` (the runner's compaction) in one atomic store
   * call, so a failure leaves the old history as it was.
   */
  async replaceHistoryWithCompaction(items: AgentInputItem[]): Promise<void> {
    const kept = await this.#counted(this.#kept(plainItems(items)));
    await this.#run("replace", undefined, async (deadline) => {
      await this.#seed(deadline);
      const tokens = this.#tokens;
      const count = kept.length;
      const limit = tokenWindowLimit(count, this.#maxItems ?? count, tokens?.maxTokens, (i) =>
        tokens!.tokensOf(kept[i]!),
      );
      const window = kept.slice(windowStartBy(count, limit, (i) => pairRole(kept[i])));
      await this.#store.replace(this.key, window, this.#ttlSeconds ?? 0, { deadline });
      if (window.length > 0) this.#written.wrote();
      else this.#written.emptied();
    });
  }

  /**
   * The runner's history transaction (SDK 0.20): an `append_items` or `replace_suffix` applied
   * atomically in one store call, once per `operationId` (a retry with the same transaction,
   * from this process or another, changes nothing). Rejects with the SDK's `UserError`s, before
   * anything is written, on invalid arguments, on a reused id with another transaction, and on a
   * suffix that does not match; with a `StoreError` when the store call fails (either failure
   * mode). `undefined` when the store has no `transact`, unless a subclass overrides it.
   */
  async applyHistoryTransaction?(args: SessionHistoryTransactionArgs): Promise<void> {
    const transact = this.#capability("transact");
    const { operationId, transaction } = snapshotTransaction(args);
    const filtered: HistoryTransaction =
      transaction.type === "append_items"
        ? { type: "append_items", items: await this.#counted(this.#kept(transaction.items)) }
        : {
            type: "replace_suffix",
            expectedSuffix: this.#kept(transaction.expectedSuffix),
            replacement: await this.#counted(this.#kept(transaction.replacement)),
          };
    const fingerprint = await transactionFingerprint(transaction);
    try {
      await this.#run("transact", undefined, async (deadline) => {
        await this.#seed(deadline);
        await transact(this.key, filtered, {
          operationId,
          fingerprint,
          ...this.#policy(),
          deadline,
        });
        // A suffix replaced by nothing may leave the history empty on purpose.
        const adds = filtered.type === "append_items" ? filtered.items : filtered.replacement;
        if (adds.length > 0) this.#written.wrote();
        else this.#written.emptied();
      });
      this.#summary?.afterWrite();
    } catch (error) {
      // The SDK's own words (`MemorySession`), so the runner and its users see one behaviour.
      const reason = HistoryConflictError.isInstance(error) ? error.reason : undefined;
      if (reason === "operation-reused") {
        throw new UserError(
          "Session history operation was already applied with a different transaction.",
        );
      }
      if (reason === "suffix-mismatch") {
        throw new UserError(
          "Session history suffix no longer matches the transaction precondition.",
        );
      }
      throw error;
    }
  }

  /**
   * The runner's history rewrite (SDK 0.20): each `replace_function_call` puts its replacement
   * where the first `function_call` with that `callId` is and drops the later ones, one store
   * call each, after `initialItems` are written. Rejects with a `UserError` on an unsupported
   * mutation or a replacement that is not plain JSON, before anything is written; with a
   * `StoreError` when a store call fails. `undefined` when the store has no
   * `replaceFunctionCall`, unless a subclass overrides it.
   */
  async applyHistoryMutations?(args: SessionHistoryRewriteArgs): Promise<void> {
    const replaceFunctionCall = this.#capability("replaceFunctionCall");
    const mutations = args?.mutations;
    if (!Array.isArray(mutations)) throw new UserError("Session history mutations are invalid.");
    const calls: Array<{ callId: string; replacement: AgentInputItem }> = [];
    for (const mutation of mutations) {
      if (mutation?.type !== "replace_function_call" || typeof mutation.callId !== "string") {
        throw new UserError("Unsupported session history mutation.");
      }
      const [replacement] = plainItems([mutation.replacement]);
      calls.push({ callId: mutation.callId, replacement: replacement! });
    }
    for (const { callId, replacement } of calls) {
      const [counted] = await this.#counted([replacement]);
      await this.#run("replaceFunctionCall", undefined, async (deadline) => {
        await this.#seed(deadline);
        await replaceFunctionCall(this.key, callId, counted!, { deadline });
      });
    }
  }

  /** The store's optional primitive, bound; a TypeError when a subclass calls through without it. */
  #capability<P extends "transact" | "replaceFunctionCall">(
    primitive: P,
  ): NonNullable<SessionStore[P]> {
    const method = this.#store[primitive];
    if (typeof method !== "function") {
      throw new TypeError(`[agents-memory] this session's store has no ${primitive}`);
    }
    return method.bind(this.#store) as NonNullable<SessionStore[P]>;
  }

  /** Writes `initialItems` once, before the first call, when the history is empty. */
  #seed(deadline: number): Promise<void> {
    if (this.#initialItems.length === 0) return Promise.resolve();
    this.#seeded ??= this.#writeInitialItems(deadline).catch((error: unknown) => {
      this.#seeded = undefined; // not written: the next call tries again
      throw error;
    });
    return this.#seeded;
  }

  async #writeInitialItems(deadline: number): Promise<void> {
    const items = await this.#counted(this.#initialItems);
    if (typeof this.#store.transact === "function") {
      const transaction: HistoryTransaction = { type: "append_items", items };
      // Recorded under its own operation id: a restarted process finds it applied.
      if ((await this.#store.read(this.key, 1)).length > 0) return;
      await this.#store.transact(this.key, transaction, {
        operationId: INITIAL_ITEMS_OPERATION,
        fingerprint: await transactionFingerprint(transaction),
        ...this.#policy(),
        deadline,
      });
      return;
    }
    if ((await this.#store.read(this.key, 1)).length > 0) return;
    await this.#store.append(this.key, items, this.#writeOptions(deadline));
  }

  #policy(): { maxItems?: number; maxTokens?: number; ttlSeconds?: number } {
    if (this.#summary) {
      // The items out of the window wait in the store for their summary.
      const ttl = this.#ttlSeconds === undefined ? {} : { ttlSeconds: this.#ttlSeconds };
      return { maxItems: this.#summary.keptItems, ...ttl };
    }
    return {
      ...(this.#maxItems === undefined ? {} : { maxItems: this.#maxItems }),
      ...(this.#tokens === undefined ? {} : { maxTokens: this.#tokens.maxTokens }),
      ...(this.#ttlSeconds === undefined ? {} : { ttlSeconds: this.#ttlSeconds }),
    };
  }

  #writeOptions(deadline: number): {
    maxItems: number;
    maxTokens?: number;
    ttlSeconds: number;
    deadline: number;
  } {
    if (this.#summary) {
      const { keptItems: maxItems } = this.#summary;
      return { maxItems, ttlSeconds: this.#ttlSeconds ?? 0, deadline };
    }
    return {
      maxItems: this.#maxItems ?? Number.MAX_SAFE_INTEGER,
      ...(this.#tokens === undefined ? {} : { maxTokens: this.#tokens.maxTokens }),
      ttlSeconds: this.#ttlSeconds ?? 0,
      deadline,
    };
  }

  /** `items` with their token counts when the session has `maxTokens` (see `withTokenCount`). */
  async #counted(items: AgentInputItem[]): Promise<AgentInputItem[]> {
    return this.#tokens ? this.#tokens.counted(items) : items;
  }

  #kept(items: readonly AgentInputItem[]): AgentInputItem[] {
    return this.#keep ? keepItems(items, this.#keep) : [...items];
  }

  /**
   * One store call within the budget ({@link storeCall}): a failure is reported, then rejects
   * (`"reject"`, or `always`), or resolves with `fallback` (`"degrade"`; undefined: the write
   * is skipped).
   */
  #run<T>(
    operation: StoreOperation,
    fallback: T,
    call: (deadline: number) => Promise<T>,
    always = false,
  ): Promise<T> {
    const carryOn = this.#degrade && !always;
    return storeCall(
      operation,
      this.key,
      this.#timeoutMs,
      call,
      this.#reporting,
      carryOn ? () => fallback : undefined,
    );
  }
}

/** The optional session methods and the store primitive each needs. */
const OPTIONAL_CAPABILITIES = [
  ["applyHistoryTransaction", "transact"],
  ["applyHistoryMutations", "replaceFunctionCall"],
] as const;
