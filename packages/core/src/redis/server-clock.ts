import type { RedisCommands } from "./commands";

/**
 * What this process's clock reads against the server's, learned with one TIME per connection
 * (again after a reconnect, which may reach another machine). Used to put a write's deadline in
 * the server's clock (see the write fence in `./lua`).
 *
 * Conservative: the server read its clock somewhere between sending TIME and the reply, so the
 * offset taken is `server time - local time at the reply`, the smallest it can be, less 1 ms for
 * TIME's truncation to ms. A deadline mapped with it is never later, in the server's clock,
 * than the moment the caller gives up; at worst a write is refused a round trip early.
 */
export class ServerClock {
  #offsetMs: number | undefined;
  #learning: Promise<number> | undefined;

  /** Forgets the offset: the next write learns it again (call it when the client reconnects). */
  reset(): void {
    this.#offsetMs = undefined;
  }

  /**
   * Starts learning the offset alongside another call (a read), unless it is known or being
   * learned: the TIME goes out with that call, so the write that follows pays no round trip
   * for it. A failure is ignored (the write asks again).
   */
  learnAlongside(commands: RedisCommands): void {
    if (this.#offsetMs !== undefined || this.#learning) return;
    this.learn(commands).catch(() => {});
  }

  /** `localDeadline` (ms since the epoch, this process's clock) in the server's clock. */
  async toServer(commands: RedisCommands, localDeadline: number): Promise<number> {
    const offset = this.#offsetMs ?? (await this.#learnOnce(commands));
    return Math.floor(localDeadline + offset) - 1;
  }

  /**
   * Asks the server for its time now (one round trip, within the caller's operation), and
   * keeps the offset.
   */
  learn(commands: RedisCommands): Promise<number> {
    const learning = (async () => {
      const serverMs = await commands.time();
      const offset = serverMs - Date.now();
      this.#offsetMs = offset;
      return offset;
    })();
    this.#learning = learning;
    const forget = () => {
      if (this.#learning === learning) this.#learning = undefined;
    };
    learning.then(forget, forget);
    return learning;
  }

  /**
   * Calls that meet an unknown offset together share one TIME, so they go out in the order
   * they were made; one that fails (another operation's timeout) is not theirs: each then asks.
   */
  async #learnOnce(commands: RedisCommands): Promise<number> {
    const shared = this.#learning;
    const learning = shared ?? this.learn(commands);
    try {
      return await learning;
    } catch (error) {
      if (!shared) throw error;
      return this.learn(commands); // another operation's failure: ask within this one
    }
  }
}
