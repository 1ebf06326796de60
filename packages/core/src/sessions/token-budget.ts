import type { AgentInputItem } from "@openai/agents";
import { assertMaxTokens, checkedTokenCount, loadO200kCounter, type TokenCounter } from "../policy";
import { storedTokenCount, TOKEN_COUNT_FIELD, type TokenBudget, withTokenCount } from "../store";

/**
 * A session's token budget (`maxTokens`, `tokenCounter`), checked where it enters. The counter
 * (o200k by default, loaded on first use) is asked only for items being written and for stored
 * items written without a count.
 */
export class SessionTokens {
  readonly maxTokens: number;
  readonly #given: TokenCounter | undefined;
  #counter: TokenCounter | undefined;

  constructor(maxTokens: number, counter: TokenCounter | undefined) {
    assertMaxTokens(maxTokens);
    if (counter !== undefined && typeof counter !== "function") {
      throw new TypeError("[agents-memory] tokenCounter must be a function (item) => number");
    }
    this.maxTokens = maxTokens;
    this.#given = counter;
    this.#counter = counter;
  }

  /** The budget for a read, the counter loaded. */
  async budget(): Promise<TokenBudget> {
    this.#counter ??= this.#given ?? (await loadO200kCounter());
    return { maxTokens: this.maxTokens, counter: this.#counter };
  }

  /** Copies of `items` that carry their count, for a store to keep (see `withTokenCount`). */
  async counted(items: readonly AgentInputItem[]): Promise<AgentInputItem[]> {
    const { counter } = await this.budget();
    return items.map((item) => withTokenCount(item, checkedTokenCount(counter, item)));
  }

  /** An item's count: the one it carries when counted, else counted now (budget() first). */
  tokensOf(item: AgentInputItem): number {
    const carried = (item as Record<string, unknown>)[TOKEN_COUNT_FIELD];
    if (typeof carried === "number") return carried;
    return checkedTokenCount(this.#counter!, item);
  }

  /** A stored element's count: stored, else counted from `parse(element)` (budget() first). */
  elementTokens(element: string, parse: (element: string) => AgentInputItem): number {
    return storedTokenCount(element) ?? checkedTokenCount(this.#counter!, parse(element));
  }
}

/** The session's tokens when `maxTokens` is given, else undefined (no budget, nothing counted). */
export function sessionTokens(
  maxTokens: number | undefined,
  counter: TokenCounter | undefined,
): SessionTokens | undefined {
  if (maxTokens === undefined) {
    if (counter !== undefined) {
      throw new TypeError("[agents-memory] tokenCounter is used with maxTokens; set maxTokens");
    }
    return undefined;
  }
  return new SessionTokens(maxTokens, counter);
}
