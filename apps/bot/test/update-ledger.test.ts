import type { Update } from "grammy/types";
import { describe, expect, test } from "vitest";
import { UpdateLedger } from "../src/transports/telegram/update-ledger";

const update = (id: number, chatId = 1): Update =>
  ({ update_id: id, message: { chat: { id: chatId } } }) as unknown as Update;

describe("UpdateLedger: the getUpdates offset never passes an unfinished update", () => {
  test("before any update the offset is 0 (Telegram's 'from the oldest unconfirmed')", () => {
    const ledger = new UpdateLedger();
    expect(ledger.offset()).toBe(0);
    expect(ledger.pinned).toBe(false);
  });

  test("the offset waits at the oldest unfinished update and moves when it finishes", () => {
    const ledger = new UpdateLedger();
    expect(ledger.take([update(10), update(11), update(12)], 100)).toHaveLength(3);
    ledger.finish(11);
    ledger.finish(12);
    expect(ledger.offset()).toBe(10);
    expect(ledger.pinned).toBe(true);
    ledger.finish(10);
    expect(ledger.offset()).toBe(13);
    expect(ledger.pinned).toBe(false);
  });

  test("a page fetched again yields only the updates not taken before, at most `max`", () => {
    const ledger = new UpdateLedger();
    ledger.take([update(10)], 100);
    const again = [update(10), update(11), update(12), update(13)];
    expect(ledger.take(again, 2).map((u) => u.update_id)).toEqual([11, 12]);
    expect(ledger.take(again, 100).map((u) => u.update_id)).toEqual([13]);
    expect(ledger.unfinished().map((u) => u.update_id)).toEqual([10, 11, 12, 13]);
  });

  test("releasing the oldest unfinished update lets the offset pass it, and says which it was", () => {
    const ledger = new UpdateLedger();
    ledger.take([update(10, -100), update(11, -200), update(12)], 100);
    ledger.finish(12);
    expect(ledger.releaseOldest()).toEqual({ update_id: 10, chat_id: -100 });
    expect(ledger.offset()).toBe(11);
    expect(ledger.releaseOldest()).toEqual({ update_id: 11, chat_id: -200 });
    expect(ledger.offset()).toBe(13);
    // Released is not finished: still listed until its turn ends.
    expect(ledger.unfinished()).toEqual([
      { update_id: 10, chat_id: -100 },
      { update_id: 11, chat_id: -200 },
    ]);
    expect(ledger.releaseOldest()).toBeUndefined();
  });

  test("an abandoned update (left to another process) is never confirmed, even once its turn here ends", () => {
    const ledger = new UpdateLedger();
    ledger.take([update(10), update(11)], 100);
    ledger.abandon(10);
    ledger.finish(10);
    ledger.finish(11);
    expect(ledger.offset()).toBe(10);
    expect(ledger.unfinished().map((u) => u.update_id)).toEqual([10]);
    // An update not taken (or already finished) cannot be abandoned.
    ledger.abandon(11);
    ledger.abandon(99);
    expect(ledger.unfinished().map((u) => u.update_id)).toEqual([10]);
  });
});
