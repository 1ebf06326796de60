import { type SessionStore, StoreShapeError } from "@agents-memory/core";
import type { Logger } from "./logger";

/**
 * The store's start-up check (`check()`, else `connect()`), before the first turn: a shape
 * that cannot keep history (refused credentials, a cluster-mode server behind a plain URL, a
 * history that does not read back whole) rejects with its `StoreShapeError`, and the bot
 * refuses to start; what the check found is logged otherwise. A store that is down is not
 * fatal: turns run without memory until it is back, as when it fails later.
 */
export async function checkStore(store: SessionStore, logger: Logger): Promise<void> {
  try {
    if (store.check) {
      const found = await store.check();
      logger.info({ roundTripMs: Number(found.roundTripMs.toFixed(1)) }, found.summary);
      return;
    }
    await store.connect?.();
  } catch (error) {
    if (StoreShapeError.isInstance(error)) throw error;
    logger.warn(
      { err: error },
      "the store check at start-up failed (unreachable or too slow); turns run without memory while store calls fail",
    );
  }
}
