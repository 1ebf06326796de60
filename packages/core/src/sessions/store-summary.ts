import type { AgentInputItem } from "@openai/agents";
import { HistoryConflictError } from "../errors";
import { type FailureReporting, storeCall } from "../guard";
import { pairRole } from "../policy";
import { readStoredItems, type SessionStore, type StoredItems, storedTokenCount } from "../store";
import type { HistoryTransaction } from "../store/contract";
import { transactionFingerprint } from "./history-transaction";
import {
  MAX_UNSUMMARIZED_ITEMS,
  Summarizer,
  type SummaryOptions,
  type SummaryOutcome,
  type SummarySplit,
  splitBySummary,
  summaryIndex,
} from "./summary";
import type { SessionTokens } from "./token-budget";

/** What `StoreSession` tells its summary: the session's key, limits and store budget. */
export interface StoreSummaryContext {
  store: SessionStore;
  key: string;
  maxItems: number | undefined;
  tokens: SessionTokens | undefined;
  ttlSeconds: number | undefined;
  timeoutMs: number;
  reporting: FailureReporting;
}

/**
 * `StoreSession`'s summary (see `summary.ts`). The store keeps the items out of the window
 * (no trim on write but the backlog limit); a read takes the whole list and hands the model
 * `[summary, ...window]`; after a write, a background run reads it again and, when items are
 * out of the window, folds them and swaps the history for `[new summary, ...kept]` in one
 * `transact` (`replace_suffix` over the whole list read): a turn written meanwhile makes it a
 * conflict (nothing written, the next write tries again), never a loss.
 */
export class StoreSummary {
  readonly #summarizer: Summarizer;
  readonly #context: StoreSummaryContext;
  #running: Promise<SummaryOutcome | undefined> | undefined;
  /** The run `flush()` reports, until it is taken. */
  #pending: Promise<SummaryOutcome | undefined> | undefined;
  /** How many items the last read's window held (what a write keeps besides the backlog). */
  #windowItems: number | undefined;

  constructor(summarizer: Summarizer, context: StoreSummaryContext) {
    if (typeof context.store.transact !== "function") {
      throw new TypeError("[agents-memory] summary needs a store with transact");
    }
    if (context.maxItems === undefined && context.tokens === undefined) {
      throw new TypeError(
        "[agents-memory] summary needs maxItems or maxTokens: a window for items to leave",
      );
    }
    this.#summarizer = summarizer;
    this.#context = context;
  }

  /**
   * The most items a write keeps: the window (as last read, else `maxItems`), the summary and
   * {@link MAX_UNSUMMARIZED_ITEMS} waiting for it (past that the store drops the oldest, which
   * `window` logs first).
   */
  get keptItems(): number {
    const window = this.#windowItems ?? this.#context.maxItems;
    return window === undefined ? Number.MAX_SAFE_INTEGER : window + 1 + MAX_UNSUMMARIZED_ITEMS;
  }

  /** The whole stored list (every item is kept: the window is cut here, not on write). */
  async read(): Promise<StoredItems> {
    return readStoredItems(this.#context.store, this.#context.key);
  }

  /** The model's window of a whole read, `[summary, ...window]`, newest `limit` at most. */
  async window(stored: StoredItems, limit: number | undefined): Promise<AgentInputItem[]> {
    const split = await this.#split(stored, limit);
    const { summaryAt, start } = split;
    const fallen = start - summaryAt - 1;
    const window = stored.items.slice(start);
    this.#windowItems = window.length;
    if (fallen > MAX_UNSUMMARIZED_ITEMS) {
      this.#summarizer.dropped(this.#context.key, fallen - MAX_UNSUMMARIZED_ITEMS);
    }
    return summaryAt >= 0 ? [stored.items[summaryAt]!, ...window] : window;
  }

  /**
   * After a write: in the background, one at a time (`flush()` awaits it), reads the history
   * and summarises it when items are out of the window.
   */
  afterWrite(): void {
    if (this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
    });
    this.#pending = this.#running;
  }

  /**
   * The outcome of the run the last write started (awaited; bounded by `summary.timeoutMs` and
   * the store budget), once: undefined when none was started since the last call, or none was
   * due.
   */
  async flush(): Promise<SummaryOutcome | undefined> {
    const pending = this.#pending;
    this.#pending = undefined;
    return pending;
  }

  async #split(stored: StoredItems, limit: number | undefined): Promise<SummarySplit> {
    const { items, elements } = stored;
    const { tokens, maxItems } = this.#context;
    if (tokens) await tokens.budget();
    const max = Math.min(limit ?? Number.MAX_SAFE_INTEGER, maxItems ?? Number.MAX_SAFE_INTEGER);
    return splitBySummary(
      items.length,
      summaryIndex(items),
      max,
      tokens?.maxTokens,
      tokens
        ? (index) => storedTokenCount(elements[index]!) ?? tokens.tokensOf(items[index]!)
        : undefined,
      (index) => pairRole(items[index]),
    );
  }

  async #run(): Promise<SummaryOutcome | undefined> {
    const { store, key, timeoutMs, reporting, ttlSeconds, tokens } = this.#context;
    let items: AgentInputItem[] = [];
    try {
      const stored = await storeCall("read", key, timeoutMs, () => this.read(), reporting);
      items = stored.items;
      const { summaryAt, start } = await this.#split(stored, undefined);
      const fallenCount = start - summaryAt - 1;
      if (!this.#summarizer.due(items.slice(summaryAt + 1), fallenCount)) return undefined;
      const keptFrom = this.#summarizer.keptStart(items, start);
      const fallen = items.slice(summaryAt + 1, keptFrom);
      const summary = await this.#summarizer.fold(items[summaryAt], fallen).catch((error) => {
        throw new SummaryFailure(fallen.length, error);
      });
      const kept = [summary, ...items.slice(keptFrom)];
      const transaction: HistoryTransaction = {
        type: "replace_suffix",
        expectedSuffix: items,
        replacement: tokens ? await tokens.counted(kept) : kept,
      };
      const fingerprint = await transactionFingerprint(transaction);
      await storeCall(
        "transact",
        key,
        timeoutMs,
        (deadline) =>
          store.transact!(key, transaction, {
            operationId: `agents-memory:summary:${globalThis.crypto.randomUUID()}`,
            fingerprint,
            ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
            deadline,
          }),
        reporting,
      );
      return { status: "summarized", items: fallen.length };
    } catch (error) {
      if (HistoryConflictError.isInstance(error)) return { status: "conflict", items: 0 };
      if (error instanceof SummaryFailure) {
        return this.#summarizer.failed(key, error.items, error.cause);
      }
      // A store failure, already reported by storeCall: said again as the summary's.
      return this.#summarizer.failed(key, items.length, error);
    }
  }
}

/** The summariser's own failure, with how many items it was folding. */
class SummaryFailure extends Error {
  constructor(
    readonly items: number,
    cause: unknown,
  ) {
    super("the summariser failed", { cause });
  }
}

/** The session's summary when `options` is given (checked here), else undefined. */
export function storeSummaryOf(
  options: SummaryOptions | undefined,
  context: StoreSummaryContext,
): StoreSummary | undefined {
  if (options === undefined) return undefined;
  return new StoreSummary(new Summarizer(options, context.reporting.logger), context);
}
