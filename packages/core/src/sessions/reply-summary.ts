import type { AgentInputItem } from "@openai/agents";
import { storeCall } from "../guard";
import { withoutTokenCount } from "../store/token-count";
import type { ResolvedMemoryOptions } from "./session-options";
import {
  MAX_UNSUMMARIZED_ITEMS,
  type Summarizer,
  type SummaryOutcome,
  summaryIndex,
} from "./summary";

/*
 * `ReplySession`'s summary (see `summary.ts`). A reply's history is written from its summary
 * on, untrimmed (the items out of the window wait for their summary, up to
 * MAX_UNSUMMARIZED_ITEMS); when enough fell out, after the fork, the summariser folds them and
 * the reply's keys are rewritten as `[new summary, ...window]`, whole lists without a link: a
 * reply below inherits it through its link, the ancestors (older answers, other branches) are
 * untouched and keep their own summaries.
 */

/** The summary's index in a read history (-1: none), over the items the filter kept. */
export const historySummaryAt = summaryIndex;

/**
 * How many of the newest items a reply's keys keep: from the summary on (all when there is
 * none), at most the window, the summary and MAX_UNSUMMARIZED_ITEMS (dropping more is logged).
 */
export function summaryForkLimit(
  summarizer: Summarizer,
  key: string,
  total: number,
  summaryAt: number,
  windowSize: number,
): number {
  const all = total - Math.max(summaryAt, 0);
  const cap = windowSize + 1 + MAX_UNSUMMARIZED_ITEMS;
  if (all <= cap) return all;
  summarizer.dropped(key, all - cap);
  return cap;
}

/**
 * Folds what left the window of `all` (the reply's new history; its window begins at `start`,
 * its summary is at `summaryAt` or -1) with the window's oldest turns (`keptStart`), and
 * rewrites every key as `[summary, ...kept]` in the write budget. A failure of either step
 * changes nothing stored (the fork's write stands) and is logged with its error.
 */
export async function foldReply(
  summarizer: Summarizer,
  options: ResolvedMemoryOptions,
  keys: readonly string[],
  all: readonly AgentInputItem[],
  summaryAt: number,
  start: number,
): Promise<SummaryOutcome> {
  const { store, ttlSeconds, persistTimeoutMs, tokens } = options;
  const plain = (items: readonly AgentInputItem[]) =>
    items.map((item) => withoutTokenCount({ ...item }) as AgentInputItem);
  const keptFrom = summarizer.keptStart(all, start);
  const fallen = plain(all.slice(summaryAt + 1, keptFrom));
  let summary: AgentInputItem;
  try {
    summary = await summarizer.fold(summaryAt >= 0 ? all[summaryAt] : undefined, fallen);
  } catch (error) {
    return summarizer.failed(keys[0]!, fallen.length, error);
  }
  try {
    const kept = [summary, ...plain(all.slice(keptFrom))];
    const items = tokens ? await tokens.counted(kept) : kept;
    await storeCall(
      "replace",
      keys[0]!,
      persistTimeoutMs,
      async (deadline) => {
        await Promise.all(keys.map((key) => store.replace(key, items, ttlSeconds, { deadline })));
      },
      options,
    );
    return { status: "summarized", items: fallen.length };
  } catch (error) {
    return summarizer.failed(keys[0]!, fallen.length, error);
  }
}
