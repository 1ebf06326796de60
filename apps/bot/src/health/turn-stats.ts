import { summarize, type TurnRecord, type TurnSummary } from "./turn-record";

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

  /** The last minute's turns, summarized. */
  recent(): TurnSummary {
    this.#prune();
    return summarize(this.#recent);
  }

  /** The turns since the previous call, summarized; starts the next interval. */
  takeInterval(): TurnSummary {
    const taken = this.#interval;
    this.#interval = [];
    return summarize(taken);
  }

  #prune(): void {
    const oldest = this.#now() - RECENT_WINDOW_MS;
    const firstKept = this.#recent.findIndex((turn) => turn.at >= oldest);
    if (firstKept !== 0) this.#recent = firstKept < 0 ? [] : this.#recent.slice(firstKept);
  }
}
