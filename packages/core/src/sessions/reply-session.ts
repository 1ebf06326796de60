import type { AgentInputItem, Session } from "@openai/agents";
import { storeCall } from "../guard";
import { DEFAULT_KEY_PREFIX, replyKey } from "../keys";
import type { MemoryLogger } from "../logger";
import { keepItems, keptMask, pairRole, tokenWindowLimit, windowStartBy } from "../policy";
import {
  elementPairRole,
  type ForkOptions,
  type HistoryGap,
  readStoredWindow,
  type StoredElement,
} from "../store";
import { withoutTokenCount } from "../store/token-count";
import { emptyUsage, type TokenUsage } from "../store/usage";
import type { ReadOutcome } from "./read-outcome";
import {
  cloneItems,
  type MemoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from "./session-options";
import { toTokenUsage, type UsageInput, usageStoreOf } from "./usage";

export interface ReplySessionOptions extends MemoryOptions {
  /** The chat the conversation lives in (negative for groups). */
  chatId: number;
  /** The bot message the user replied to; null/undefined starts a new conversation. */
  replyToMessageId?: number | null;
  /**
   * When the replied-to message was sent: unix seconds (Telegram's `reply_to_message.date`) or
   * a `Date`. With it, a reply to a message younger than `ttlSeconds` whose key is gone is
   * reported as a lost history (`readOutcome` `"missing"`, and a warning with the key and the
   * message's age) instead of reading as a new conversation. Optional; an invalid value is
   * logged and ignored.
   */
  replyToMessageDate?: number | Date | null;
  /** Key prefix: keys are `<prefix>:<messageId>:<chatId>`. Default `bot`. */
  keyPrefix?: string;
}

/**
 * The replied-to history as read. Its stored JSON is the truth (strings: nobody can mutate
 * them); the items parsed from it at read time are handed out once, to the first caller who
 * asks for the whole history, so the common turn parses the history once and never copies it.
 * Against parsing again for the runner: +30-51% turns/s on row 7; against keeping parsed items
 * only (copied out, reserialized for the fork): +9-140% on every row (`pnpm bench --cells
 * 50x1024,200x4096 --rows agents-memory,agents-memory-copy,upstash`).
 */
interface History {
  elements: StoredElement[];
  /** `elements` parsed, until they are handed out; undefined after. */
  unclaimed: AgentInputItem[] | undefined;
}

const noHistory = (): History => ({ elements: [], unclaimed: undefined });

const parseElement = (element: StoredElement): AgentInputItem =>
  withoutTokenCount(JSON.parse(element)) as AgentInputItem;

const parseElements = (elements: readonly StoredElement[]): AgentInputItem[] =>
  elements.map(parseElement);

/**
 * The parent as read, for `store.fork`. `parentItems` is parsed only for a store that asks
 * (ours write `parentElements` as they are); as an own getter, a copy of the options still
 * has it. The getter reads `this` and must not close over the history: a closure here kept
 * every turn's history alive into the old generation (apps/bench/README.md tells how it was
 * found).
 */
function forkOptions(
  maxItems: number,
  ttlSeconds: number,
  parentElements: readonly StoredElement[],
  deadline: number,
): ForkOptions {
  return {
    maxItems,
    ttlSeconds,
    deadline,
    parentElements,
    get parentItems() {
      return parseElements(this.parentElements ?? []);
    },
  };
}

/** What {@link ReplySession.persist} did. It never rejects on a store failure; `ok` tells. */
export interface PersistResult {
  /** True when the write reached the store; false when it failed (already reported). */
  ok: boolean;
  /**
   * `"stored"`; `"not-stored"` (nothing was written); or `"unknown"`: the store did not answer
   * in time, and the write may have been applied before its deadline (never after).
   */
  outcome: "stored" | "not-stored" | "unknown";
  /** The keys written (or that would have been). */
  keys: string[];
  /** How many items each key now holds. */
  itemCount: number;
}

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

  constructor(options: ReplySessionOptions) {
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
  }

  /**
   * What reading the replied-to history found (see {@link ReadOutcome}); undefined until it
   * was read (`load()`, `loadHistory()`, or the runner's first `getItems()`).
   */
  get readOutcome(): ReadOutcome | undefined {
    return this.#readOutcome;
  }

  /** The key the chat's usage counters live under: `<prefix>:usage:<chatId>`. */
  get usageKey(): string {
    return `${this.#keyPrefix}:usage:${this.chatId}`;
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
    const count =
      limit === undefined && !this.#options.tokens
        ? total
        : (await this.#window(elements, staged, limit ?? total)).size;
    const fromStaged = Math.min(count, staged.length);
    return [
      ...this.#historyItems(count - fromStaged),
      ...cloneItems(staged.slice(staged.length - fromStaged)),
    ];
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
    const { size } = await this.#window(history.elements, staged, maxItems);
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
  ): Promise<{ size: number; limit: number }> {
    const total = elements.length + items.length;
    const { tokens } = this.#options;
    if (tokens) await tokens.budget();
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
    return { size: total - start, limit: byTokens };
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
    const { size: itemCount, limit } = await this.#window(elements, newItems, maxItems);
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
    if (failure === undefined) return { ok: true, outcome: "stored", keys, itemCount };
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
    const budget = await this.#options.tokens?.budget();
    // A list stored longer than maxItems (a smaller maxItems since, another deployment) is
    // read as its pair-safe window. A failed read is reported and gives no history.
    const read = await storeCall(
      "read",
      key,
      timeoutMs,
      () => readStoredWindow(store, key, maxItems, budget),
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
      return {
        elements: elements.filter((_, index) => kept[index]),
        unclaimed: items.filter((_, index) => kept[index]),
      };
    }
    return { elements, unclaimed: items };
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

/**
 * `replyToMessageDate` in ms since the epoch: unix seconds (Telegram's `date`) or a Date;
 * undefined when not given, or (logged) when it is no valid time.
 */
function messageTime(date: unknown, logger: MemoryLogger): number | undefined {
  if (date === undefined || date === null) return undefined;
  const ms =
    date instanceof Date ? date.getTime() : typeof date === "number" ? date * 1000 : Number.NaN;
  if (Number.isFinite(ms) && ms >= 0) return ms;
  logger.warn(
    { replyToMessageDate: typeof date === "number" ? date : String(date) },
    "replyToMessageDate is neither unix seconds nor a valid Date; ignored",
  );
  return undefined;
}
