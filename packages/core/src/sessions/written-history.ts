import type { MemoryLogger } from "../logger";

/**
 * What a `StoreSession` knows of its own writes, to tell a history lost behind its back: a read
 * that finds nothing after this session stored items (within their TTL, with no pop, clear or
 * empty replace of its own since) means the store lost them: evicted under `maxmemory`, Redis
 * restarted without persistence, or deleted by another process. Said once, in a warning, as a
 * `ReplySession` reports a history gone missing. (The SDK's `MemorySession` has no such case:
 * its history lives in the process.)
 */
export class WrittenHistory {
  readonly #key: string;
  readonly #ttlSeconds: number | undefined;
  readonly #logger: MemoryLogger;
  /** When this session last stored items (epoch ms), while they should still be there. */
  #at: number | undefined;

  constructor(key: string, ttlSeconds: number | undefined, logger: MemoryLogger) {
    this.#key = key;
    this.#ttlSeconds = ttlSeconds;
    this.#logger = logger;
  }

  /** A write of this session's stored items. */
  wrote(): void {
    this.#at = Date.now();
  }

  /** A pop, clear or empty replace of this session's own: an empty history is no loss. */
  emptied(): void {
    this.#at = undefined;
  }

  /** After a read that succeeded: warns once when it found no item though some should be there. */
  read(found: number): void {
    const at = this.#at;
    if (found > 0 || at === undefined) return;
    this.#at = undefined;
    if (this.#ttlSeconds !== undefined && Date.now() - at >= this.#ttlSeconds * 1000) return;
    this.#logger.warn(
      { key: this.#key, wroteAt: new Date(at).toISOString() },
      "the history this session stored is gone before its TTL: evicted (maxmemory), lost in a Redis restart without persistence, deleted by another process, or trimmed to nothing by maxTokens; the conversation starts over",
    );
  }
}
