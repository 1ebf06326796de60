import type { MemoryLogger } from "../logger";
import { CHAIN_WALK_SLACK, LINK_REFUSAL_TEXT, type LinkRefusal } from "./chain-link";
import type { HistoryGap } from "./contract";

/*
 * The one warning each kind of gap in a read gets, whichever store found it: a history read
 * short is never silent. `absent` is no warning here: a key nobody wrote reads as empty, and
 * only the session knows whether it should exist (see `ReplySession.readOutcome`).
 */

const GAP_TEXT: Readonly<Record<Exclude<HistoryGap["kind"], "absent">, string>> = {
  missing:
    "a key this history links to is gone (expired, evicted or deleted); read the part after it",
  refused: "a link in this history was refused and not followed; read the part after it",
  deep: `the history runs through more than ${CHAIN_WALK_SLACK} keys that hold no items; read the part after them`,
  cycle: "a link in this history leads back to a key already read; read each key once",
  "other-type": "a key this history links to holds a value of another type; read up to it",
};

/** Logs one warning for `gap` (none for `absent`), with the key read and where it stopped. */
export function reportHistoryGap(
  logger: MemoryLogger,
  fields: { store: string; key: string },
  gap: HistoryGap | undefined,
): void {
  if (!gap || gap.kind === "absent") return;
  const where: Record<string, unknown> = { ...fields, at: gap.at };
  if (gap.kind === "missing") where.missing = gap.at;
  if (gap.kind === "refused" && gap.detail) {
    where.reason = gap.detail;
    where.why = LINK_REFUSAL_TEXT[gap.detail as LinkRefusal] ?? gap.detail;
  }
  if (gap.kind === "refused" && gap.parent !== undefined) where.parent = gap.parent;
  if (gap.kind === "other-type" && gap.detail) where.type = gap.detail;
  logger.warn(where, GAP_TEXT[gap.kind]);
}
