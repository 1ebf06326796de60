import type { AgentInputItem } from "@openai/agents";
import type { MemoryLogger } from "../logger";
import { type PairRole, pairRole } from "../policy/pairs";
import { tokenWindowLimit } from "../policy/token-window";
import { checkedTokenCount, type TokenCounter } from "../policy/tokens";
import { windowStartBy } from "../policy/window";
import type { ForkOptions, SessionStore, StoredElement, StoredItems } from "./contract";
import { itemProblem } from "./item-schema";
import { storedTokenCount, withoutTokenCount } from "./token-count";

/** The parent of a fork as stored JSON: `parentElements` when given, else serialized. */
export function parentElementsOf(options: ForkOptions): readonly StoredElement[] {
  return options.parentElements ?? serializeItems(options.parentItems);
}

/** A read of nothing (fresh arrays: callers may push to them). */
export function emptyStored(): StoredItems {
  return { items: [], elements: [] };
}

/** The newest `limit` of a read (all when undefined), both arrays alike. */
export function newestStored(stored: StoredItems, limit: number | undefined): StoredItems {
  if (limit === undefined || stored.items.length <= limit) return stored;
  if (limit === 0) return emptyStored();
  return { items: stored.items.slice(-limit), elements: stored.elements.slice(-limit) };
}

/**
 * `store.readStored` when the store has it; otherwise `read`, serialized here (one extra
 * pass, only for a store that does not keep JSON).
 */
export async function readStoredItems(
  store: SessionStore,
  key: string,
  limit?: number,
): Promise<StoredItems> {
  if (typeof store.readStored === "function") return store.readStored(key, limit);
  const items = await store.read(key, limit);
  // A store that keeps items as given hands back their stored counts: keep them in the JSON.
  const elements = serializeItems(items);
  return { items: items.map(withoutTokenCount), elements };
}

/** A session's token budget: the most tokens its window may hold, and what counts them. */
export interface TokenBudget {
  /** The most tokens the window may hold. */
  maxTokens: number;
  /** Counts an item that has no stored count. */
  counter: TokenCounter;
}

/**
 * The tokens of the `index`th of `stored`: its stored count, else (written before counts, or
 * without a budget) counted now by `counter`.
 */
export function storedTokens(stored: StoredItems, index: number, counter: TokenCounter): number {
  return (
    storedTokenCount(stored.elements[index]!) ?? checkedTokenCount(counter, stored.items[index]!)
  );
}

/**
 * The pair-safe window of the newest `limit` items under `key` (see `windowStartBy`), all of
 * them when `limit` is undefined. It reads one item more than `limit`, so that a follower whose
 * reasoning item is just outside the window is known as such: the window may hold fewer than
 * `limit` items to stay whole.
 */
export async function readStoredWindow(
  store: SessionStore,
  key: string,
  limit?: number,
  budget?: TokenBudget,
): Promise<StoredItems> {
  if (limit === 0) return emptyStored();
  const stored = await readStoredItems(store, key, limit === undefined ? undefined : limit + 1);
  if (limit === undefined && budget === undefined) return stored;
  const { items } = stored;
  // A custom store whose elements do not line up with its items: serialize them here.
  const elements =
    Array.isArray(stored.elements) && stored.elements.length === items.length
      ? stored.elements
      : serializeItems(items);
  const count = items.length;
  const byTokens = tokenWindowLimit(count, limit ?? count, budget?.maxTokens, (index) =>
    storedTokens({ items, elements }, index, budget!.counter),
  );
  const start = windowStartBy(count, byTokens, (index) => pairRole(items[index]));
  const window: StoredItems =
    start === 0
      ? { items, elements }
      : { items: items.slice(start), elements: elements.slice(start) };
  if (stored.gap) window.gap = stored.gap;
  return window;
}

/** True when a stored element is a reasoning item's JSON (see `keptMask` in the policy). */
export function isReasoningElement(element: StoredElement): boolean {
  return elementPairRole(element)?.kind === "reasoning";
}

/**
 * `pairRole` of a stored element. Only an element whose text names a reasoning type or a
 * call link is parsed; the rest (most of a conversation) is not: +23-25% turns/s on rows 1 and 7
 * at 50 x 1 KB, 32 chats (`pnpm bench --cells 50x1024,200x4096 --rows
 * agents-memory,agents-memory-copy`).
 */
export function elementPairRole(element: StoredElement): PairRole {
  if (!PAIR_HINT.test(element)) return undefined;
  try {
    return pairRole(JSON.parse(element));
  } catch {
    return undefined;
  }
}

/**
 * Text every element that `pairRole` gives a role holds: the type "reasoning", a call or
 * output's link field, or the type whose link is its `id` (see `TOOL_CALL_LINKS`). Only such
 * an element is parsed, here and in the Redis scripts (`pair_role`, made from this list).
 */
export const PAIR_HINTS: readonly string[] = Object.freeze([
  '"reasoning"',
  '"callId"',
  '"call_id"',
  '"approval_request_id"',
  '"mcp_approval_request"',
]);
// The hints hold no regular-expression metacharacters.
const PAIR_HINT = new RegExp(PAIR_HINTS.join("|"));

/**
 * The first index of the pair-safe window of the newest `limit` elements (see `windowStartBy`),
 * within `maxTokens` by the counts stored in the elements (see `tokenWindowLimit`). A store
 * cannot count: an element without a stored count counts 0 here (kept), and the session's read
 * cuts by its counter.
 */
export function elementsWindowStart(
  elements: readonly StoredElement[],
  limit: number,
  maxTokens?: number,
): number {
  const count = elements.length;
  const byTokens = tokenWindowLimit(
    count,
    limit,
    maxTokens,
    (i) => storedTokenCount(elements[i]!) ?? 0,
  );
  return windowStartBy(count, byTokens, (i) => elementPairRole(elements[i]!));
}

/** The newest `max` stored elements, cut as `trimItems` cuts items (see `elementsWindowStart`). */
export function trimElements<T extends StoredElement>(
  elements: readonly T[],
  max: number,
  maxTokens?: number,
): T[] {
  return elements.slice(elementsWindowStart(elements, max, maxTokens));
}

/** One JSON string per item: the stored form of every store. */
export function serializeItems(items: readonly AgentInputItem[]): string[] {
  return items.map((item) => JSON.stringify(item));
}

/**
 * Parses stored elements, skipping (and logging once per read, with the count and the reasons)
 * any that is not an item the SDK accepts: not JSON, not an object, or not valid under the
 * SDK's item schemas (see `itemProblem`). A store never crashes on data another program or an
 * older version left behind, and never hands the runner an item the model would reject.
 */
export function parseStoredElements(
  elements: readonly unknown[],
  context: { key: string; logger: MemoryLogger; store: string },
): AgentInputItem[] {
  return parseStoredItems(elements, context).items;
}

/** How many distinct reasons a skip warning lists. */
const MAX_REASONS = 5;

/** {@link parseStoredElements}, keeping each kept item's JSON beside it. */
export function parseStoredItems(
  elements: readonly unknown[],
  context: { key: string; logger: MemoryLogger; store: string },
): StoredItems {
  const stored = emptyStored();
  let skipped = 0;
  const reasons = new Set<string>();
  for (const element of elements) {
    const parsed =
      typeof element === "string" ? parseElement(element) : { problem: "not a string" };
    if ("problem" in parsed) {
      skipped++;
      if (reasons.size < MAX_REASONS) reasons.add(parsed.problem);
    } else {
      stored.items.push(parsed.item);
      stored.elements.push(element as StoredElement);
    }
  }
  if (skipped > 0) {
    context.logger.warn(
      { store: context.store, key: context.key, skipped, reasons: [...reasons] },
      "skipped stored elements that are not valid items",
    );
  }
  return stored;
}

/** One stored element parsed, or undefined when it is not a valid item (not logged). */
export function parseStoredElement(element: unknown): AgentInputItem | undefined {
  if (typeof element !== "string") return undefined;
  const parsed = parseElement(element);
  return "item" in parsed ? parsed.item : undefined;
}

function parseElement(text: string): { item: AgentInputItem } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: "not JSON" };
  }
  withoutTokenCount(value);
  const problem = itemProblem(value);
  return problem === undefined ? { item: value as AgentInputItem } : { problem };
}
