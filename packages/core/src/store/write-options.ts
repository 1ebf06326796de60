/** Options every write takes. */
export interface WriteOptions {
  /**
   * When the caller gives up, in ms since the epoch (`Date.now()`'s clock). A store must not
   * apply the write after it: the Redis stores send it as a deadline in the server's clock
   * that their scripts enforce. The store's own budget applies too; the earlier one wins.
   */
  deadline?: number;
}
