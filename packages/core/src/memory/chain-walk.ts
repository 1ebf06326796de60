import { CHAIN_WALK_SLACK, followLink, type HistoryGap, linkRefusal } from "../store";
import type { ExpiringMap } from "./expiring-map";

/** One key's history in the MemoryStore. */
export interface Entry {
  /**
   * One JSON string per item, oldest first (never empty: an empty list is no key). A reply
   * key's first element may be a link to its parent (see `store/chain-link.ts`).
   */
  elements: string[];
  /** Ms since the epoch; Infinity for no TTL. */
  expiresAt: number;
}

/** A list the walk read from, newest first, and the index its items start at. */
export interface Segment {
  key: string;
  entry: Entry;
  from: number;
}

/**
 * The keys holding the newest `limit` items (-1: all) of the history under `key`, newest
 * first, each with the index its items start at, and where the walk stopped short: the Redis
 * layout's `walk` in Lua, rule for rule (links only as `followLink` allows, at most
 * CHAIN_WALK_SLACK + 1 keys without items).
 */
export function walkChain(
  entries: ExpiringMap<Entry>,
  key: string,
  limit: number,
): { segments: Segment[]; gap?: HistoryGap } {
  const segments: Segment[] = [];
  const seen = new Set<string>();
  let idle = 0;
  let next: string = key;
  while (limit !== 0) {
    if (seen.has(next)) return { segments, gap: { kind: "cycle", at: next } };
    seen.add(next);
    const entry = entries.get(next);
    if (!entry) {
      const kind = segments.length > 0 ? "missing" : "absent";
      return { segments, gap: { kind, at: next } };
    }
    const step = followLink(next, entry.elements[0]);
    const length = entry.elements.length;
    let from = step.kind === "end" ? 0 : 1;
    if (limit >= 0 && length - from > limit) from = length - limit;
    segments.push({ key: next, entry, from });
    if (length === from) idle++;
    if (limit >= 0) limit -= length - from;
    if (step.kind === "end" || limit === 0) break;
    if (step.kind === "refused") {
      const gap: HistoryGap = { kind: "refused", at: next, detail: step.reason };
      if (step.parent !== undefined) gap.parent = step.parent;
      return { segments, gap };
    }
    if (idle > CHAIN_WALK_SLACK) return { segments, gap: { kind: "deep", at: next } };
    if (limit < 0 || step.link.take < limit) limit = step.link.take;
    next = step.link.parent;
  }
  return { segments };
}

/** The elements of the segments of a walk, oldest first. */
export function elementsOf(segments: readonly Segment[]): string[] {
  const elements: string[] = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    const { entry, from } = segments[i]!;
    for (let j = from; j < entry.elements.length; j++) elements.push(entry.elements[j]!);
  }
  return elements;
}

/** The newest `limit` elements (-1: all) of the history under `key`, oldest first. */
export function historyOf(entries: ExpiringMap<Entry>, key: string, limit: number): string[] {
  return elementsOf(walkChain(entries, key, limit).segments);
}

/**
 * Before a change in place (pop, a function call's replacement): a key that links to its
 * parent becomes its whole history, so the change applies to what its reads return (the
 * Redis layout's `flatten`).
 */
export function flatten(entries: ExpiringMap<Entry>, key: string, entry: Entry): void {
  if (followLink(key, entry.elements[0]).kind !== "end") {
    entry.elements = historyOf(entries, key, -1);
  }
}

/**
 * True when `children` may link to `parentKey`: each may (see `linkRefusal`), the newest
 * items of its history are `parent` (the caller's read, unchanged since), and no child is a
 * key they live in. The walk is {@link walkChain}, so it never reaches past a refused link.
 */
export function mayLink(
  entries: ExpiringMap<Entry>,
  parentKey: string,
  parent: readonly string[],
  children: readonly string[],
): boolean {
  if (children.some((child) => linkRefusal(child, parentKey))) return false;
  const walked = walkChain(entries, parentKey, parent.length).segments;
  const history = elementsOf(walked);
  if (history.length !== parent.length || history.some((e, i) => e !== parent[i])) return false;
  return !walked.some((segment) => children.includes(segment.key));
}

/** Raises to `expiresAt` the expiry of the keys the newest `keep` items of `key`'s history live in. */
export function keepAlive(
  entries: ExpiringMap<Entry>,
  key: string,
  keep: number,
  expiresAt: number,
): void {
  for (const { entry } of walkChain(entries, key, keep).segments) {
    if (entry.expiresAt < expiresAt) entry.expiresAt = expiresAt;
  }
}
