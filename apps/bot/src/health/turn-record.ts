import {
  type PersistResult,
  type ReadOutcome,
  ReadOutcomeCounter,
  type ReadOutcomeCounts,
} from "@agents-memory/core";

/** One agent turn, as the stats count it. */
export interface TurnRecord {
  /** When the turn ended, `Date.now()`. */
  at: number;
  /** True when the whole answer went out; false when the user got the apology. */
  answered: boolean;
  /** From the turn's start (the message taken up) to the answer's last part sent, in ms. */
  answerMs: number;
  /** What happened to the new history; undefined when nothing was sent to store it under. */
  history: PersistResult["outcome"] | undefined;
  /** How the history read went (`ReplySession.readOutcome`); undefined when it never read. */
  read: ReadOutcome | undefined;
  /** The history read's store call, in ms; undefined when the store was not asked. */
  readMs: number | undefined;
  /** The history write's store call, in ms; undefined when nothing was written. */
  writeMs: number | undefined;
}

/** A summary of what left a history's window, once it ended (`ReplySession.flushSummary()`). */
export interface SummaryRecord {
  /** When it ended, `Date.now()`. */
  at: number;
  /** `"summarized"`, or `"failed"` (logged by the session, nothing stored lost). */
  status: "summarized" | "failed" | "conflict";
}

/** Percentiles of a set of durations, in ms; null when the set is empty. */
export interface Latency {
  count: number;
  p50: number | null;
  p99: number | null;
}

/** What the stats line and `/healthz` report about a period's turns. */
export interface TurnSummary {
  turns: { answered: number; failed: number };
  answer_ms: Latency;
  histories: { stored: number; unknown: number; not_stored: number };
  reads: ReadOutcomeCounts;
  store_ms: { read: Latency; write: Latency };
  /** Summaries of what left a window (AGENT_SUMMARY): written, and failed. */
  summaries: { done: number; failed: number };
}

/** Counts and latency percentiles (nearest rank) of `records`. */
export function summarize(
  records: readonly TurnRecord[],
  summaries: readonly SummaryRecord[] = [],
): TurnSummary {
  const reads = new ReadOutcomeCounter();
  const histories = { stored: 0, unknown: 0, not_stored: 0 };
  let answered = 0;
  for (const record of records) {
    if (record.answered) answered++;
    reads.add(record.read);
    if (record.history === "stored") histories.stored++;
    else if (record.history === "unknown") histories.unknown++;
    else if (record.history === "not-stored") histories.not_stored++;
  }
  return {
    turns: { answered, failed: records.length - answered },
    answer_ms: latency(records.filter((r) => r.answered).map((r) => r.answerMs)),
    histories,
    reads: reads.counts,
    store_ms: {
      read: latency(records.map((r) => r.readMs)),
      write: latency(records.map((r) => r.writeMs)),
    },
    summaries: {
      done: summaries.filter((s) => s.status === "summarized").length,
      failed: summaries.filter((s) => s.status === "failed").length,
    },
  };
}

function latency(values: readonly (number | undefined)[]): Latency {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return { count: sorted.length, p50: rank(sorted, 0.5), p99: rank(sorted, 0.99) };
}

/** The nearest-rank percentile: the smallest value with at least `q` of the values at or below it. */
function rank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!);
}
