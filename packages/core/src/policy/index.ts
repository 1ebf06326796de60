export {
  CONVERSATION_ITEM_TYPES,
  compileFilter,
  DEFAULT_DROP_IDS,
  DEFAULT_FILTER_POLICY,
  type FilterPolicy,
  filterItems,
  isToolItem,
  keepItems,
  keptMask,
  TOOL_ITEM_TYPES,
} from "./filter";
export { isReasoningItem } from "./items";
export { assertMaxItems, assertMaxTokens, assertTtlSeconds, MAX_TTL_SECONDS } from "./limits";
export { type PairRole, pairRole, TOOL_CALL_LINKS, TOOL_OUTPUT_LINKS } from "./pairs";
export { tokenWindowLimit } from "./token-window";
export {
  checkedTokenCount,
  countItemTokens,
  INLINE_DATA_TOKENS,
  ITEM_OVERHEAD_TOKENS,
  loadO200kCounter,
  type TokenCounter,
} from "./tokens";
export { trimItems } from "./trim";
export { windowOf, windowStart, windowStartBy } from "./window";
