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
export { assertMaxItems, assertTtlSeconds } from "./limits";
export { type PairRole, pairRole, TOOL_CALL_LINKS, TOOL_OUTPUT_LINKS } from "./pairs";
export { trimItems } from "./trim";
export { windowOf, windowStart, windowStartBy } from "./window";
