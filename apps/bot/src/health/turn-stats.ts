import { type SummaryRecord, summarize, type TurnRecord, type TurnSummary } from "./turn-record";

/** The window `/healthz` reports on: the last minute. */
export const RECENT_WINDOW_MS = 60_000;

/**
 * The turns of the last minute (for `/healthz`) and of the current stats interval (for the
 * stats line). A record is small; at most a minute's and an interval's (up to an hour) worth
 * are kept.
 */
export class TurnStats {
  #recent: TurnRecord[] = [];
  #interval: TurnRecord[] = [];
  #recentSummaries: SummaryRecord[] = [];
  #intervalSummaries: SummaryRecord[] = [];
  readonly #keepInterval: boolean;
  readonly #now: () => number;

  /** `interval`: keep the turns for `takeInterval()` (false when no stats line takes them). */
  constructor(options: { interval: boolean; now?: () => number }) {
    this.#keepInterval = options.interval;
    this.#now = options.now ?? Date.now;
  }

  record(turn: TurnRecord): void {
    this.#recent.push(turn);
    if (this.#keepInterval) this.#interval.push(turn);
    this.#prune();
  }

  /** A summary that ended (it finishes after its turn was recorded). */
  recordSummary(summary: SummaryRecord): void {
    this.#recentSummaries.push(summary);
    if (this.#keepInterval) this.#intervalSummaries.push(summary);
    this.#prune();
  }

  /** The last minute's turns, summarized. */
  recent(): TurnSummary {
    this.#prune();
    return summarize(this.#recent, this.#recentSummaries);
  }

  /** The turns since the previous call, summarized; starts the next interval. */
  takeInterval(): TurnSummary {
    const taken = this.#interval;
    const summaries = this.#intervalSummaries;
    this.#interval = [];
    this.#intervalSummaries = [];
    return summarize(taken, summaries);
  }

  #prune(): void {
    const oldest = this.#now() - RECENT_WINDOW_MS;
    this.#recent = kept(this.#recent, oldest);
    this.#recentSummaries = kept(this.#recentSummaries, oldest);
  }
}

/** The records at or after `oldest` (they are in time order). */
function kept<T extends { at: number }>(records: T[], oldest: number): T[] {
  const firstKept = records.findIndex((record) => record.at >= oldest);
  return firstKept === 0 ? records : firstKept < 0 ? [] : records.slice(firstKept);
}
