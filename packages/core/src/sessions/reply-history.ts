import type { AgentInputItem } from "@openai/agents";
import type { ForkOptions, StoredElement } from "../store";
import { withoutTokenCount } from "../store/token-count";

/**
 * The replied-to history as read. Its stored JSON is the truth (strings: nobody can mutate
 * them); the items parsed from it at read time are handed out once, to the first caller who
 * asks for the whole history, so the common turn parses the history once and never copies it.
 * Against parsing again for the runner: +30-51% turns/s on row 7; against keeping parsed items
 * only (copied out, reserialized for the fork): +9-140% on every row (`pnpm bench --cells
 * 50x1024,200x4096 --rows agents-memory,agents-memory-copy,upstash`).
 */
export interface History {
  elements: StoredElement[];
  /** `elements` parsed, until they are handed out; undefined after. */
  unclaimed: AgentInputItem[] | undefined;
  /** The summary's index in `elements` (`summary` option), or -1. */
  summaryAt: number;
}

export const noHistory = (): History => ({ elements: [], unclaimed: undefined, summaryAt: -1 });

export const parseElement = (element: StoredElement): AgentInputItem =>
  withoutTokenCount(JSON.parse(element)) as AgentInputItem;

export const parseElements = (elements: readonly StoredElement[]): AgentInputItem[] =>
  elements.map(parseElement);

/**
 * The parent as read, for `store.fork`. `parentItems` is parsed only for a store that asks
 * (ours write `parentElements` as they are); as an own getter, a copy of the options still
 * has it. The getter reads `this` and must not close over the history: a closure here kept
 * every turn's history alive into the old generation (apps/bench/README.md tells how it was
 * found).
 */
export function forkOptions(
  maxItems: number,
  ttlSeconds: number,
  parentElements: readonly StoredElement[],
  deadline: number,
): ForkOptions {
  return {
    maxItems,
    ttlSeconds,
    deadline,
    parentElements,
    get parentItems() {
      return parseElements(this.parentElements ?? []);
    },
  };
}

/** What {@link ReplySession.persist} did. It never rejects on a store failure; `ok` tells. */
export interface PersistResult {
  /** True when the write reached the store; false when it failed (already reported). */
  ok: boolean;
  /**
   * `"stored"`; `"not-stored"` (nothing was written); or `"unknown"`: the store did not answer
   * in time, and the write may have been applied before its deadline (never after).
   */
  outcome: "stored" | "not-stored" | "unknown";
  /** The keys written (or that would have been). */
  keys: string[];
  /** How many items each key now holds. */
  itemCount: number;
}
