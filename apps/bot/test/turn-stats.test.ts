import { describe, expect, test } from "vitest";
import type { TurnRecord } from "../src/health/turn-record";
import { TurnStats } from "../src/health/turn-stats";

const turn = (at: number, over: Partial<TurnRecord> = {}): TurnRecord => ({
  at,
  answered: true,
  answerMs: 100,
  history: "stored",
  read: "whole",
  readMs: 2,
  writeMs: 3,
  ...over,
});

describe("TurnStats", () => {
  test("p50 and p99 are nearest-rank over the answered turns; failed turns are counted apart", () => {
    let now = 0;
    const stats = new TurnStats({ interval: true, now: () => now });
    for (let i = 1; i <= 100; i++) stats.record(turn(0, { answerMs: i * 10 }));
    stats.record(turn(0, { answered: false, answerMs: 0, history: undefined, writeMs: undefined }));
    now = 1_000;
    const summary = stats.recent();
    expect(summary.turns).toEqual({ answered: 100, failed: 1 });
    expect(summary.answer_ms).toEqual({ count: 100, p50: 500, p99: 990 });
    expect(summary.histories).toEqual({ stored: 100, unknown: 0, not_stored: 0 });
    expect(summary.store_ms.write.count).toBe(100);
    expect(summary.store_ms.read.count).toBe(101);
  });

  test("the last minute drops older turns; an interval holds what came since the last line", () => {
    let now = 0;
    const stats = new TurnStats({ interval: true, now: () => now });
    stats.record(turn(0, { history: "unknown", read: "missing" }));
    now = 30_000;
    stats.record(turn(30_000, { history: "not-stored", read: "failed", readMs: undefined }));
    expect(stats.takeInterval().turns.answered).toBe(2);
    expect(stats.takeInterval().turns.answered).toBe(0);
    now = 61_000;
    const recent = stats.recent();
    expect(recent.histories).toEqual({ stored: 0, unknown: 0, not_stored: 1 });
    expect(recent.reads).toEqual({ none: 0, whole: 0, truncated: 0, missing: 0, failed: 1 });
    expect(recent.store_ms.read).toEqual({ count: 0, p50: null, p99: null });
  });

  test("summaries are counted as they end, written and failed, per minute and per interval", () => {
    let now = 0;
    const stats = new TurnStats({ interval: true, now: () => now });
    stats.recordSummary({ at: 0, status: "summarized" });
    now = 30_000;
    stats.recordSummary({ at: 30_000, status: "failed" });
    stats.recordSummary({ at: 30_000, status: "summarized" });
    expect(stats.takeInterval().summaries).toEqual({ done: 2, failed: 1 });
    expect(stats.takeInterval().summaries).toEqual({ done: 0, failed: 0 });
    now = 61_000;
    expect(stats.recent().summaries).toEqual({ done: 1, failed: 1 });
  });

  test("without a stats line nothing is kept for one", () => {
    const stats = new TurnStats({ interval: false });
    stats.record(turn(Date.now()));
    expect(stats.recent().turns.answered).toBe(1);
    expect(stats.takeInterval().turns.answered).toBe(0);
  });
});
