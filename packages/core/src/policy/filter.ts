import type { AgentInputItem } from "@openai/agents";
import { isReasoningItem, itemType } from "./items";
import { pairRole } from "./pairs";

/**
 * Every tool call/output item type, of the installed SDK (`protocol.ModelItem`) and of the
 * Python era (the Responses API names the Python bot stored). A test enumerates the SDK's
 * schemas and fails when a type appears that is in neither this list nor
 * {@link CONVERSATION_ITEM_TYPES}.
 */
export const TOOL_ITEM_TYPES: readonly string[] = Object.freeze([
  // @openai/agents (JS) protocol
  "function_call",
  "function_call_result",
  "hosted_tool_call",
  "computer_call",
  "computer_call_result",
  "shell_call",
  "shell_call_output",
  "apply_patch_call",
  "apply_patch_call_output",
  "tool_search_call",
  "tool_search_output",
  "program",
  "program_output",
  // Python era (openai-agents-python / Responses API items)
  "function_call_output",
  "computer_call_output",
  "local_shell_call",
  "local_shell_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "file_search_call",
  "web_search_call",
  "code_interpreter_call",
  "image_generation_call",
  "mcp_call",
  "mcp_list_tools",
  "mcp_approval_request",
  "mcp_approval_response",
]);

/** Item types that are conversation, not tool traffic: kept in memory. */
export const CONVERSATION_ITEM_TYPES: readonly string[] = Object.freeze([
  "message",
  "reasoning",
  "compaction",
  "unknown",
]);

/** Ids of placeholder items that must never be stored or replayed (the API rejects them). */
export const DEFAULT_DROP_IDS: readonly string[] = Object.freeze(["__fake_id__"]);

/**
 * What memory drops before it stores a history: an item goes when its `type` or its `id` is
 * listed. Omitted lists take the defaults ({@link DEFAULT_FILTER_POLICY}); `extra*` adds to them.
 */
export interface FilterPolicy {
  /** Item `type`s dropped from memory. Default: {@link TOOL_ITEM_TYPES}. */
  dropTypes?: readonly string[];
  /** Item `id`s dropped from memory. Default: {@link DEFAULT_DROP_IDS}. */
  dropIds?: readonly string[];
  /** Extra types to drop on top of `dropTypes`. */
  extraDropTypes?: readonly string[];
  /** Extra ids to drop on top of `dropIds`. */
  extraDropIds?: readonly string[];
}

/** The bot's filter: every tool item ({@link TOOL_ITEM_TYPES}) and `__fake_id__` placeholders. */
export const DEFAULT_FILTER_POLICY: Readonly<
  Required<Pick<FilterPolicy, "dropTypes" | "dropIds">>
> = Object.freeze({ dropTypes: TOOL_ITEM_TYPES, dropIds: DEFAULT_DROP_IDS });

const TOOL_TYPE_SET = new Set(TOOL_ITEM_TYPES);

/** True for any tool call or tool output item, SDK or Python era. */
export function isToolItem(item: unknown): boolean {
  const type = itemType(item);
  return typeof type === "string" && TOOL_TYPE_SET.has(type);
}

/** A compiled policy: one predicate, sets built once. */
export function compileFilter(policy: FilterPolicy = {}): (item: AgentInputItem) => boolean {
  const types = new Set([
    ...(policy.dropTypes ?? DEFAULT_FILTER_POLICY.dropTypes),
    ...(policy.extraDropTypes ?? []),
  ]);
  const ids = new Set([
    ...(policy.dropIds ?? DEFAULT_FILTER_POLICY.dropIds),
    ...(policy.extraDropIds ?? []),
  ]);
  return (item) => {
    if (item === null || typeof item !== "object") return false;
    const type = (item as { type?: unknown }).type;
    if (typeof type === "string" && types.has(type)) return false;
    const id = (item as { id?: unknown }).id;
    if (typeof id === "string" && ids.has(id)) return false;
    return true;
  };
}

/**
 * Which of `items`, in order, memory keeps: `keep` decides each item, then pairs the Responses
 * API requires together (see `PairRole`) are kept or dropped together:
 * - a tool call and its output in `items` (linked by call id): when `keep` drops one, the other
 *   goes too (the API rejects an output without its call, and a call without its output);
 * - a reasoning item goes with the item right after it: when that item is dropped, the
 *   reasoning item is dropped too (and so on backwards, for a chain). A reasoning item at the
 *   end is kept: its follower may come in a later call.
 * A call or output whose partner is not in `items` at all is left to `keep` (its partner may
 * have been written, or may come, in another call; windows drop what stays orphaned).
 */
export function keptMask(
  items: readonly AgentInputItem[],
  keep: (item: AgentInputItem) => boolean,
): boolean[] {
  const kept = items.map((item) => keep(item));
  const callAt = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const role = pairRole(item);
    if (role?.kind === "call") callAt.set(role.link, index);
    if (role?.kind !== "output") continue;
    const call = callAt.get(role.link);
    if (call === undefined || kept[call] === kept[index]) continue;
    kept[call] = false;
    kept[index] = false;
  }
  for (let index = items.length - 2; index >= 0; index--) {
    if (kept[index] && !kept[index + 1] && isReasoningItem(items[index])) kept[index] = false;
  }
  return kept;
}

/** `items` without what {@link keptMask} drops. */
export function keepItems(
  items: readonly AgentInputItem[],
  keep: (item: AgentInputItem) => boolean,
): AgentInputItem[] {
  const kept = keptMask(items, keep);
  return items.filter((_, index) => kept[index]);
}

/**
 * The items to keep in memory, in order: what `policy` drops (default: tool items and
 * placeholder ids) removed, together with the items the Responses API requires beside a
 * dropped one (the reasoning item that led to a dropped tool call).
 */
export function filterItems(
  items: readonly AgentInputItem[],
  policy?: FilterPolicy,
): AgentInputItem[] {
  return keepItems(items, compileFilter(policy));
}
