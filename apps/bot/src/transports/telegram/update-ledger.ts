import type { Update } from "grammy/types";
import type { UpdateRef } from "../in-flight";

/**
 * Which polled updates have finished, and so how far getUpdates may confirm. Telegram confirms
 * every update below the `offset` of a getUpdates call, so the offset stays at the oldest
 * update whose turn has not finished: a process that stops before finishing it leaves it to
 * the next one.
 */
export class UpdateLedger {
  /** The highest update id taken so far; -1 before the first. */
  #highest = -1;
  /** Taken, not finished: update id -> chat id. */
  readonly #unfinished = new Map<number, number | undefined>();
  /** Unfinished, but confirmed anyway because a full page of updates waited behind them. */
  readonly #released = new Set<number>();
  /** Left to another process (its turn there had not finished): never confirmed here. */
  readonly #abandoned = new Set<number>();

  /** The updates of a page not taken before (at most `max`, oldest first), now unfinished. */
  take(page: readonly Update[], max: number): Update[] {
    const fresh = page.filter((update) => update.update_id > this.#highest).slice(0, max);
    for (const update of fresh) {
      this.#unfinished.set(update.update_id, update.message?.chat.id);
      this.#highest = update.update_id;
    }
    return fresh;
  }

  finish(updateId: number): void {
    if (this.#abandoned.has(updateId)) return;
    this.#unfinished.delete(updateId);
    this.#released.delete(updateId);
  }

  /** The getUpdates offset: the oldest unfinished update, else one past the highest taken. */
  offset(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const id of this.#unfinished.keys()) {
      if (!this.#released.has(id) && id < oldest) oldest = id;
    }
    if (oldest !== Number.POSITIVE_INFINITY) return oldest;
    return this.#highest >= 0 ? this.#highest + 1 : 0;
  }

  /** True while the offset stays below updates already taken (getUpdates returns them again). */
  get pinned(): boolean {
    return this.offset() <= this.#highest;
  }

  /**
   * Keeps `updateId` unfinished for good: another process is answering it, and if that one
   * dies, Telegram must deliver it again (to whoever polls next).
   */
  abandon(updateId: number): void {
    if (this.#unfinished.has(updateId)) this.#abandoned.add(updateId);
  }

  /** Lets the offset pass the oldest unfinished update; returns it. */
  releaseOldest(): UpdateRef | undefined {
    const id = this.offset();
    if (!this.#unfinished.has(id)) return undefined;
    this.#released.add(id);
    return { update_id: id, chat_id: this.#unfinished.get(id) };
  }

  /** The updates taken and not finished, oldest first. */
  unfinished(): UpdateRef[] {
    return [...this.#unfinished]
      .sort(([a], [b]) => a - b)
      .map(([update_id, chat_id]) => ({ update_id, chat_id }));
  }
}
