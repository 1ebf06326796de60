import type { AgentInputItem, Session } from "@openai/agents";
import { StoreError } from "./errors";
import { reportStoreFailure, withTimeout } from "./guard";
import { DEFAULT_KEY_PREFIX, replyKey } from "./keys";
import { trimItems } from "./policy";
import {
  cloneItems,
  type MemoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from "./session-options";

export interface ReplySessionOptions extends MemoryOptions {
  /** The chat the conversation lives in (negative for groups). */
  chatId: number;
  /** The bot message the user replied to; null/undefined starts a new conversation. */
  replyToMessageId?: number | null;
  /** Key prefix: keys are `<prefix>:<messageId>:<chatId>`. Default `bot`. */
  keyPrefix?: string;
}

export interface PersistResult {
  /** True when the write reached the store; false when it failed (already reported). */
  ok: boolean;
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
  readonly chatId: number;
  /** The key history is read from, or null when the message replied to nothing. */
  readonly parentKey: string | null;
  readonly #keyPrefix: string;
  readonly #options: ResolvedMemoryOptions;
  #history: AgentInputItem[] | undefined;
  /** True while #history is exactly what the store returned (a server-side copy is possible). */
  #historyAsRead = true;
  #staged: AgentInputItem[] = [];
  #loading: Promise<AgentInputItem[]> | undefined;

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
  }

  async getSessionId(): Promise<string> {
    return this.parentKey ?? `${this.#keyPrefix}:new:${this.chatId}`;
  }

  /** The history read from the replied-to message (loaded once), filtered. */
  async loadHistory(): Promise<AgentInputItem[]> {
    return cloneItems(await this.#ensureHistory());
  }

  async #ensureHistory(): Promise<AgentInputItem[]> {
    if (this.#history) return this.#history;
    this.#loading ??= this.#read();
    const items = await this.#loading;
    this.#history ??= items;
    return this.#history;
  }

  /** History plus what the runner added so far; the newest `limit` in order. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const view = [...(await this.#ensureHistory()), ...this.#staged];
    if (limit === undefined) return cloneItems(view);
    if (limit <= 0) return [];
    return cloneItems(view.slice(-limit));
  }

  /** Stages items for `persist`; never touches the store. Safe to call any number of times. */
  async addItems(items: AgentInputItem[]): Promise<void> {
    this.#staged.push(...cloneItems(items));
  }

  /** Removes and returns the newest item of this turn's view (staged first, then history). */
  async popItem(): Promise<AgentInputItem | undefined> {
    if (this.#staged.length > 0) return this.#staged.pop();
    const item = (await this.#ensureHistory()).pop();
    if (item) this.#historyAsRead = false;
    return item;
  }

  /**
   * Empties this turn's view: the reply will not inherit the replied-to history. The parent's
   * stored history is left alone (other replies may branch from it).
   */
  async clearSession(): Promise<void> {
    this.#history = [];
    this.#loading = undefined;
    this.#historyAsRead = false;
    this.#staged = [];
  }

  /** What `persist` would write: trim(filter(history + staged)). */
  async pendingHistory(): Promise<AgentInputItem[]> {
    const history = await this.#ensureHistory();
    const { keep, maxItems } = this.#options;
    return cloneItems(trimItems([...history, ...this.#staged].filter(keep), maxItems));
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
    const history = await this.#ensureHistory();
    const { store, keep, maxItems, ttlSeconds, timeoutMs } = this.#options;
    const newItems = this.#staged.filter(keep);
    const itemCount = Math.min(maxItems, history.length + newItems.length);
    // The server-side copy is only offered when history is exactly what the store returned.
    const parentKey = this.#historyAsRead ? this.parentKey : null;
    try {
      await withTimeout("fork", keys[0]!, timeoutMs, () =>
        store.fork(parentKey, keys, newItems, { maxItems, ttlSeconds, parentItems: history }),
      );
      return { ok: true, keys, itemCount };
    } catch (error) {
      this.#report("fork", keys[0]!, error);
      return { ok: false, keys, itemCount };
    }
  }

  async #read(): Promise<AgentInputItem[]> {
    if (!this.parentKey) return [];
    const key = this.parentKey;
    const { store, maxItems, keep, timeoutMs } = this.#options;
    try {
      const raw = await withTimeout("read", key, timeoutMs, () => store.read(key, maxItems));
      const kept = raw.filter(keep);
      if (kept.length !== raw.length) this.#historyAsRead = false;
      return kept;
    } catch (error) {
      this.#report("read", key, error);
      this.#historyAsRead = false;
      return [];
    }
  }

  #report(operation: string, key: string, error: unknown): void {
    const storeError = StoreError.isInstance(error)
      ? error
      : new StoreError(`[agents-memory] ${operation} ${key} failed`, {
          operation,
          key,
          cause: error,
        });
    reportStoreFailure(
      { operation, key, error: storeError },
      this.#options.logger,
      this.#options.onStoreError,
    );
  }
}
