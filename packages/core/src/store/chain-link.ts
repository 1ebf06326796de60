import type { StoredElement } from "./contract";

/*
 * The chained layout: a reply key holds a link to its parent, then only its own turn's items.
 * Its history is the newest `take` items of its parent's history, then its own items:
 *
 *   history(key) = newest(history(link.parent), link.take) ++ own(key)
 *
 * A key without a link (a full list, the copy layout's) or a legacy JSON string ends a chain.
 * The link is the list's first element, a JSON object that is not an item: a reader that does
 * not know the layout skips it as a malformed element and reads the key's own (newest) items.
 */

/** How every link element starts (its fixed field order lets Lua and JS spot it without parsing). */
export const CHAIN_LINK_PREFIX = '{"type":"agents_memory.link",';

/** A reply key's link to its parent. */
export interface ChainLink {
  /** How many of the parent history's newest items this key's history starts with (>= 1). */
  take: number;
  /** The parent's key as the backend names it (for Redis: with the store's key prefix). */
  parent: string;
}

/** The stored form of a link: `{"type":"agents_memory.link","take":n,"parent":"key"}`. */
export function chainLinkElement(link: ChainLink): string {
  return JSON.stringify({ type: "agents_memory.link", take: link.take, parent: link.parent });
}

/** The link a stored element holds, or undefined when it is not a well-formed link. */
export function parseChainLink(element: StoredElement | undefined): ChainLink | undefined {
  if (element === undefined) return undefined;
  if (!element.startsWith(CHAIN_LINK_PREFIX)) return undefined;
  try {
    const value = JSON.parse(element) as { take?: unknown; parent?: unknown };
    if (typeof value.parent !== "string" || typeof value.take !== "number") return undefined;
    if (!Number.isInteger(value.take) || value.take < 0) return undefined;
    return { take: value.take, parent: value.parent };
  } catch {
    return undefined;
  }
}
