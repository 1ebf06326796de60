import type { AgentInputItem, Session } from "@openai/agents";
import { storeCall } from "../guard";
import { DEFAULT_KEY_PREFIX, replyKey } from "../keys";
import { keepItems, keptMask, pairRole, tokenWindowLimit, windowStartBy } from "../policy";
import {
  assertKnownOptions,
  elementPairRole,
  type HistoryGap,
  readStoredWindow,
  type StoredElement,
} from "../store";
import { USAGE_SUFFIX } from "../store/companion-keys";
import { emptyUsage, type TokenUsage } from "../store/usage";
import { messageTime, type ReadOutcome } from "./read-outcome";
import {
  forkOptions,
  type History,
  noHistory,
  type PersistResult,
  parseElement,
  parseElements,
} from "./reply-history";
import { REPLY_SESSION_OPTION_NAMES, type ReplySessionOptions } from "./reply-session-options";
import { foldReply, historySummaryAt, summaryForkLimit } from "./reply-summary";
import { cloneItems, type ResolvedMemoryOptions, resolveMemoryOptions } from "./session-options";
import { Summarizer, type SummaryOutcome, splitBySummary } from "./summary";
import { toTokenUsage, type UsageInput, usageStoreOf } from "./usage";

export type { PersistResult } from "./reply-history";
export type { ReplySessionOptions } from "./reply-session-options";

/**
 * Reply-scoped memory, the bot's flow: history comes from the bot message the user replied to,
 * and the new history is stored under the bot's reply once that reply exists.
 *
 * One instance serves one turn: create it for the incoming message, pass it to
 * `Runner.run(agent, input, { session })`, send the answer, then `persist(sentMessageIds)`.
 * Replying to an older bot message forks the conversation: that branch's history plus the new
 * turn goes under the new reply's key; the newer branch is never touched.
 */
export class ReplySession implements Session {
  /** The chat of the conversation, as given in the options. */
  readonly chatId: number;
  /** The key history is read from, or null when the message replied to nothing. */
  readonly parentKey: string | null;
  readonly #keyPrefix: string;
  readonly #options: ResolvedMemoryOptions;
  #history: History | undefined;
  /** True while #history is exactly what the store returned (a server-side copy is possible). */
  #historyAsRead = true;
  #staged: AgentInputItem[] = [];
  #loading: Promise<History> | undefined;
  /** When the replied-to message was sent, in ms since the epoch; undefined when not known. */
  readonly #replyToSentAt: number | undefined;
  #readOutcome: ReadOutcome | undefined;
  readonly #summarizer: Summarizer | undefined;
  #summaryRun: Promise<SummaryOutcome | undefined> | undefined;

  constructor(options: ReplySessionOptions) {
    assertKnownOptions(options, REPLY_SESSION_OPTION_NAMES, { where: "ReplySession" });
    this.#options = resolveMemoryOptions(options);
    this.#keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    // replyKey validates both ids and the prefix, so bad input fails here, loudly.
    replyKey(1, options.chatId, this.#keyPrefix);
    this.chatId = options.chatId;
    const replyTo = options.replyToMessageId;
    this.parentKey =
      replyTo === undefined || replyTo === null
        ? null
        : replyKey(replyTo, options.chatId, this.#keyPrefix);
    this.#replyToSentAt = messageTime(options.replyToMessageDate, this.#options.logger);
    this.#summarizer =
      options.summary === undefined
        ? undefined
        : new Summarizer(options.summary, this.#options.logger);
  }

  /**
   * With `summary`: the summary `persist` started (in the background), awaited; its outcome,
   * or undefined when none ran. Bounded by `summary.timeoutMs` and `persistTimeoutMs`.
   */
  async flushSummary(): Promise<SummaryOutcome | undefined> {
    return this.#summaryRun;
  }

  /**
   * What reading the replied-to history found (see {@link ReadOutcome}); undefined until it
   * was read (`load()`, `loadHistory()`, or the runner's first `getItems()`).
   */
  get readOutcome(): ReadOutcome | undefined {
    return this.#readOutcome;
  }

  /** The key the chat's usage counters live under: `<prefix>:<chatId>:usage`. */
  get usageKey(): string {
    return `${this.#keyPrefix}:${this.chatId}${USAGE_SUFFIX}`;
  }

  /**
   * Adds this turn's usage (`result.state.usage`, or a `TokenUsage`) to the chat's counters in
   * the same store (one atomic call, the session's TTL refreshed). Never rejects on a store
   * failure: reported, and false. Throws a TypeError when the store keeps no usage.
   */
  async recordUsage(usage: UsageInput): Promise<boolean> {
    const store = usageStoreOf(this.#options.store);
    const add = toTokenUsage(usage);
    // A write after the answer, like persist: its budget.
    const { ttlSeconds, persistTimeoutMs } = this.#options;
    const failure = await storeCall(
      "addUsage",
      this.usageKey,
      persistTimeoutMs,
      async (deadline) => {
        await store.addUsage(this.usageKey, add, { ttlSeconds, deadline });
        return undefined;
      },
      this.#options,
      (error) => error,
    );
    return failure === undefined;
  }

  /** The chat's usage, summed over every turn recorded (zeros when none or on a failure, reported). */
  async getUsage(): Promise<TokenUsage> {
    const store = usageStoreOf(this.#options.store);
    return storeCall(
      "readUsage",
      this.usageKey,
      this.#options.timeoutMs,
      () => store.readUsage(this.usageKey),
      this.#options,
      () => emptyUsage(),
    );
  }

  async getSessionId(): Promise<string> {
    return this.parentKey ?? `${this.#keyPrefix}:new:${this.chatId}`;
  }

  /**
   * Reads the replied-to history now (once) and resolves with how many items it holds, after
   * the filter. The items stay with the session, so the runner's `getItems()` gets them
   * without a second parse: call this before `Runner.run` to log or branch on the history.
   */
  async load(): Promise<number> {
    return (await this.#ensureHistory()).elements.length;
  }

  /**
   * The history read from the replied-to message (loaded once), filtered, as objects the caller
   * owns. Handing them out means a later `getItems()` parses the stored JSON again; use
   * `load()` when the count is all you need.
   */
  async loadHistory(): Promise<AgentInputItem[]> {
    const history = await this.#ensureHistory();
    return this.#historyItems(history.elements.length);
  }

  async #ensureHistory(): Promise<History> {
    if (this.#history) return this.#history;
    this.#loading ??= this.#read();
    const history = await this.#loading;
    this.#history ??= history;
    return this.#history;
  }

  /** The newest `count` history items as objects the caller owns (see {@link History}). */
  #historyItems(count: number): AgentInputItem[] {
    const history = this.#history!;
    if (count <= 0) return [];
    if (history.unclaimed && count === history.elements.length) {
      const items = history.unclaimed;
      history.unclaimed = undefined;
      return items;
    }
    return parseElements(history.elements.slice(-count));
  }

  /**
   * History plus what the runner added so far, in order; with `limit`, the pair-safe window of
   * the newest `limit` (it may hold fewer, see `windowStartBy`). Fresh objects.
   */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const history = await this.#ensureHistory();
    const staged = this.#staged;
    const { elements } = history;
    const total = elements.length + staged.length;
    const summary = this.#summarizer !== undefined;
    const count =
      limit === undefined && !this.#options.tokens && !summary
        ? total
        : (await this.#window(elements, staged, limit ?? total)).size;
    const fromStaged = Math.min(count, staged.length);
    return [
      ...this.#summaryAhead(count),
      ...this.#historyItems(count - fromStaged),
      ...cloneItems(staged.slice(staged.length - fromStaged)),
    ];
  }

  /** The summary item when a window of the newest `count` items starts after it, else none. */
  #summaryAhead(count: number): AgentInputItem[] {
    const { summaryAt, elements } = this.#history!;
    const total = elements.length + this.#staged.length;
    return summaryAt >= 0 && total - count > summaryAt ? [parseElement(elements[summaryAt]!)] : [];
  }

  /** Stages items for `persist`; never touches the store. Safe to call any number of times. */
  async addItems(items: AgentInputItem[]): Promise<void> {
    this.#staged.push(...cloneItems(items));
  }

  /** Removes and returns the newest item of this turn's view (staged first, then history). */
  async popItem(): Promise<AgentInputItem | undefined> {
    if (this.#staged.length > 0) return this.#staged.pop();
    const history = await this.#ensureHistory();
    const element = history.elements.pop();
    if (element === undefined) return undefined;
    if (history.summaryAt >= history.elements.length) history.summaryAt = -1;
    this.#historyAsRead = false;
    return history.unclaimed?.pop() ?? parseElement(element);
  }

  /**
   * Empties this turn's view: the reply will not inherit the replied-to history. The parent's
   * stored history is left alone (other replies may branch from it).
   */
  async clearSession(): Promise<void> {
    this.#history = noHistory();
    this.#loading = undefined;
    this.#historyAsRead = false;
    this.#staged = [];
  }

  /** What `persist` would write: trim(filter(history + staged)). */
  async pendingHistory(): Promise<AgentInputItem[]> {
    const history = await this.#ensureHistory();
    const { keep, maxItems } = this.#options;
    const staged = cloneItems(keepItems(this.#staged, keep));
    const all = [...parseElements(history.elements), ...staged];
    const { size, summaryAt } = await this.#window(history.elements, staged, maxItems);
    if (this.#summarizer) return all.slice(Math.max(summaryAt, 0));
    return all.slice(all.length - size);
  }

  /**
   * The window of `elements + items` by THE window rule (see `windowStartBy`) with `limit` items
   * and the session's `maxTokens`: how many of the newest it keeps (`size`), and the item limit
   * that cuts it without counting (`limit`, see `tokenWindowLimit`).
   */
  async #window(
    elements: readonly StoredElement[],
    items: readonly AgentInputItem[],
    limit: number,
  ): Promise<{ size: number; limit: number; summaryAt: number }> {
    const total = elements.length + items.length;
    const { tokens } = this.#options;
    if (tokens) await tokens.budget();
    if (this.#summarizer) {
      // The window after the summary, which takes one item and its tokens (see splitBySummary).
      const summaryAt = this.#history?.summaryAt ?? -1;
      const { start } = splitBySummary(
        total,
        summaryAt,
        Math.min(limit, this.#options.maxItems),
        tokens?.maxTokens,
        tokens
          ? (index) =>
              index < elements.length
                ? tokens.elementTokens(elements[index]!, parseElement)
                : tokens.tokensOf(items[index - elements.length]!)
          : undefined,
        (index) =>
          index < elements.length
            ? elementPairRole(elements[index]!)
            : pairRole(items[index - elements.length]),
      );
      return { size: total - start, limit: total - start, summaryAt };
    }
    const byTokens = tokenWindowLimit(total, Math.max(limit, 0), tokens?.maxTokens, (index) =>
      index < elements.length
        ? tokens!.elementTokens(elements[index]!, parseElement)
        : tokens!.tokensOf(items[index - elements.length]!),
    );
    const start = windowStartBy(total, Math.max(byTokens, 0), (index) =>
      index < elements.length
        ? elementPairRole(elements[index]!)
        : pairRole(items[index - elements.length]),
    );
    return { size: total - start, limit: byTokens, summaryAt: -1 };
  }

  /**
   * Writes `trim(filter(history + staged))` under the key of every message id given (a long
   * answer split into several messages continues from any of them), with the TTL, in one store
   * call. A store failure is reported and returned as `ok: false`, never thrown.
   */
  async persist(replyMessageIds: number | readonly number[]): Promise<PersistResult> {
    const ids = typeof replyMessageIds === "number" ? [replyMessageIds] : [...replyMessageIds];
    if (ids.length === 0)
      throw new TypeError("[agents-memory] persist needs at least one message id");
    const keys = ids.map((id) => replyKey(id, this.chatId, this.#keyPrefix));
    const { elements } = await this.#ensureHistory();
    const { store, keep, maxItems, ttlSeconds, persistTimeoutMs, tokens } = this.#options;
    const kept = keepItems(this.#staged, keep);
    // Counted once, here: the store keeps each count with its item.
    const newItems = tokens ? await tokens.counted(kept) : kept;
    // The token budget only moves the window's floor: given as an item limit, every store cuts
    // the same window without counting (see `tokenWindowLimit`).
    const window = await this.#window(elements, newItems, maxItems);
    const total = elements.length + newItems.length;
    const limit = this.#summarizer
      ? summaryForkLimit(this.#summarizer, keys[0]!, total, window.summaryAt, window.size)
      : window.limit;
    const itemCount = this.#summarizer ? limit : window.size;
    // The server-side copy is only offered when history is exactly what the store returned.
    const parentKey = this.#historyAsRead ? this.parentKey : null;
    const failure = await storeCall(
      "fork",
      keys[0]!,
      persistTimeoutMs,
      async (deadline) => {
        if (limit === 0) {
          // Nothing fits (the newest item alone is over maxTokens): the window is empty.
          await Promise.all(keys.map((key) => store.replace(key, [], ttlSeconds, { deadline })));
          return undefined;
        }
        await store.fork(
          parentKey,
          keys,
          newItems,
          forkOptions(limit, ttlSeconds, elements, deadline),
        );
        return undefined;
      },
      this.#options,
      (error) => error,
    );
    if (failure === undefined) {
      if (limit === 0) {
        // Said now, with its reason: a reply to this answer later reads its key as missing.
        this.#options.logger.warn(
          { keys, maxTokens: tokens?.maxTokens },
          "the newest item alone is over maxTokens: nothing is stored for this answer, so a reply to it starts without history",
        );
      }
      const start = total - window.size;
      if (this.#summarizer && start > window.summaryAt + 1) {
        const all = [...parseElements(elements), ...newItems];
        const { summaryAt } = window;
        if (this.#summarizer.due(all.slice(summaryAt + 1), start - summaryAt - 1)) {
          this.#summaryRun = foldReply(
            this.#summarizer,
            this.#options,
            keys,
            all,
            summaryAt,
            start,
          );
        }
      }
      return { ok: true, outcome: "stored", keys, itemCount };
    }
    const outcome = failure.outcome === "unknown" ? "unknown" : "not-stored";
    return { ok: false, outcome, keys, itemCount };
  }

  async #read(): Promise<History> {
    if (!this.parentKey) {
      this.#readOutcome = "none";
      return noHistory();
    }
    const key = this.parentKey;
    const { store, maxItems, keep, timeoutMs } = this.#options;
    // Loaded before the store call's budget starts (the default counter loads on first use).
    const whole = this.#summarizer !== undefined; // the summary heads the whole history
    const budget = whole ? undefined : await this.#options.tokens?.budget();
    // A list stored longer than maxItems (a smaller maxItems since, another deployment) is
    // read as its pair-safe window. A failed read is reported and gives no history.
    const read = await storeCall(
      "read",
      key,
      timeoutMs,
      () => readStoredWindow(store, key, whole ? undefined : maxItems, budget),
      this.#options,
      () => undefined,
    );
    if (read === undefined) {
      this.#readOutcome = "failed";
      this.#historyAsRead = false;
      return noHistory();
    }
    const { items, elements, gap } = read;
    this.#readOutcome = this.#outcomeOf(key, gap);
    const kept = keptMask(items, keep);
    if (!kept.every(Boolean)) {
      this.#historyAsRead = false;
      const unclaimed = items.filter((_, index) => kept[index]);
      const summaryAt = whole ? historySummaryAt(unclaimed) : -1;
      return { elements: elements.filter((_, index) => kept[index]), unclaimed, summaryAt };
    }
    return { elements, unclaimed: items, summaryAt: whole ? historySummaryAt(items) : -1 };
  }

  /**
   * The outcome of a read that answered. A key that is gone while its message is younger than
   * the TTL lost its history (evicted or deleted): said here, once, with the key and the age.
   */
  #outcomeOf(key: string, gap: HistoryGap | undefined): ReadOutcome {
    if (gap === undefined) return "whole";
    if (gap.kind !== "absent") return "truncated";
    if (this.#replyToSentAt === undefined) return "whole";
    const { ttlSeconds, logger } = this.#options;
    const ageSeconds = Math.max(0, Math.floor((Date.now() - this.#replyToSentAt) / 1000));
    if (ttlSeconds > 0 && ageSeconds >= ttlSeconds) return "whole";
    logger.warn(
      { key, ageSeconds, ttlSeconds },
      "the replied-to message is younger than the TTL but its history is gone (evicted or deleted); answering without it",
    );
    return "missing";
  }
}
