import type { MemoryLogger } from "../logger";

/**
 * What reading a reply's history found, as `ReplySession.readOutcome` reports it:
 * - `none`: no history was asked for (the message replied to nothing);
 * - `whole`: the history read as stored (empty when its key is gone after its TTL, or when the
 *   replied-to message's date was not given);
 * - `truncated`: part of it is gone or refused (an ancestor expired, evicted or refused, or a
 *   walk that stopped early), already logged by the store;
 * - `missing`: the replied-to key itself is gone although its message is younger than the TTL
 *   (evicted or deleted): a lost history, logged as a warning with the key and the age;
 * - `failed`: the store call failed (reported through `onStoreError` and the logger).
 */
export type ReadOutcome = "none" | "whole" | "truncated" | "missing" | "failed";

/** Every {@link ReadOutcome}, for counters and stats lines. */
export const READ_OUTCOMES: readonly ReadOutcome[] = Object.freeze([
  "none",
  "whole",
  "truncated",
  "missing",
  "failed",
]);

/** How many reads ended in each outcome. */
export type ReadOutcomeCounts = Record<ReadOutcome, number>;

/** Counts read outcomes, e.g. one per turn for a bot's stats line. */
export class ReadOutcomeCounter {
  readonly #counts: ReadOutcomeCounts = { none: 0, whole: 0, truncated: 0, missing: 0, failed: 0 };

  /** Counts one outcome; undefined (a session that never read) is not counted. */
  add(outcome: ReadOutcome | undefined): void {
    if (outcome !== undefined && outcome in this.#counts) this.#counts[outcome]++;
  }

  /** A copy of the counts so far. */
  get counts(): ReadOutcomeCounts {
    return { ...this.#counts };
  }
}

/**
 * `replyToMessageDate` in ms since the epoch: unix seconds (Telegram's `date`) or a Date;
 * undefined when not given, or (logged) when it is no valid time.
 */
export function messageTime(date: unknown, logger: MemoryLogger): number | undefined {
  if (date === undefined || date === null) return undefined;
  const ms =
    date instanceof Date ? date.getTime() : typeof date === "number" ? date * 1000 : Number.NaN;
  if (Number.isFinite(ms) && ms >= 0) return ms;
  logger.warn(
    { replyToMessageDate: typeof date === "number" ? date : String(date) },
    "replyToMessageDate is neither unix seconds nor a valid Date; ignored",
  );
  return undefined;
}
