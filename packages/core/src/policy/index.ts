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
export { trimCut, trimItems } from "./trim";
