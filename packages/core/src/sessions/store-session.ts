import type { AgentInputItem, Session } from "@openai/agents";
import { StoreError } from "../errors";
import { reportStoreFailure, withTimeout } from "../guard";
import { keepItems } from "../policy";
import { assertStoreKey, readStoredWindow } from "../store";
import {
  type MemoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from "./session-options";

export interface StoreSessionOptions extends MemoryOptions {
  /** The stable key this session lives under (per user, per thread, …). */
  key: string;
}

/**
 * A session under one stable key, for any app: `Runner.run(agent, input, { session })`.
 *
 * - `getItems` and `addItems` never throw on a store failure: the run goes on without history
 *   and the write is skipped, reported through the logger and `onStoreError`.
 * - `popItem` and `clearSession` are explicit changes the caller must be able to trust, so a
 *   store failure there rejects with a {@link StoreError} (after being reported).
 * - Tool items and `__fake_id__` items are filtered on write and on read (legacy data).
 */
export class StoreSession implements Session {
  /** The store key the history lives under, as given in the options. */
  readonly key: string;
  readonly #options: ResolvedMemoryOptions;

  constructor(options: StoreSessionOptions) {
    assertStoreKey(options?.key);
    this.key = options.key;
    this.#options = resolveMemoryOptions(options);
  }

  async getSessionId(): Promise<string> {
    return this.key;
  }

  /**
   * Up to the newest `limit` items (at most `maxItems`), oldest first, after the filter, like
   * the SDK's `Session.getItems`. A store failure is reported and reads as no history (`[]`).
   */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    if (limit !== undefined && limit <= 0) return [];
    const { store, maxItems, keep } = this.#options;
    const wanted = limit === undefined ? maxItems : Math.min(limit, maxItems);
    try {
      // The pair-safe window: it may hold fewer than `wanted` items (see `windowStartBy`).
      const { items } = await this.#guard("read", () => readStoredWindow(store, this.key, wanted));
      return keepItems(items, keep);
    } catch (error) {
      this.#report("read", error);
      return [];
    }
  }

  async addItems(items: AgentInputItem[]): Promise<void> {
    const kept = keepItems(items, this.#options.keep);
    if (kept.length === 0) return;
    const { store, maxItems, ttlSeconds } = this.#options;
    try {
      await this.#guard("append", (deadline) =>
        store.append(this.key, kept, { maxItems, ttlSeconds, deadline }),
      );
    } catch (error) {
      this.#report("append", error);
    }
  }

  async popItem(): Promise<AgentInputItem | undefined> {
    try {
      return await this.#guard("pop", (deadline) =>
        this.#options.store.pop(this.key, { deadline }),
      );
    } catch (error) {
      throw this.#report("pop", error);
    }
  }

  async clearSession(): Promise<void> {
    try {
      await this.#guard("clear", (deadline) => this.#options.store.clear(this.key, { deadline }));
    } catch (error) {
      throw this.#report("clear", error);
    }
  }

  #guard<T>(operation: string, run: (deadline: number) => Promise<T>): Promise<T> {
    return withTimeout(operation, this.key, this.#options.timeoutMs, run);
  }

  #report(operation: string, error: unknown): StoreError {
    const storeError = StoreError.isInstance(error)
      ? error
      : new StoreError(`[agents-memory] ${operation} ${this.key} failed`, {
          operation,
          key: this.key,
          cause: error,
        });
    reportStoreFailure(
      { operation, key: this.key, error: storeError },
      this.#options.logger,
      this.#options.onStoreError,
    );
    return storeError;
  }
}
