/**
 * `@agents-memory/core`: what an app needs. Sessions for the Agents SDK, the in-memory store,
 * the policies they apply, and the errors a store raises. Store authors: see
 * `@agents-memory/core/store` and `/testing`; Redis-protocol adapters: `/redis`.
 *
 * @module \@agents-memory/core
 */
export {
  HistoryConflictError,
  type HistoryConflictReason,
  StoreError,
  type StoreOutcome,
  StoreShapeError,
  type StoreShapeProblem,
  StoreTimeoutError,
} from "./errors";
// The failure rule builds the errors above: exported from this entry, so `instanceof
// StoreTimeoutError` holds for what a store raises (each entry bundles its own classes).
export {
  CallReach,
  DeadlinePassedError,
  type FailedCall,
  outcomeOf,
  PartlyAppliedError,
  RequestNotSentError,
  type RequestReach,
  storeCallError,
} from "./failure-rule";
export {
  DEFAULT_READ_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
  type OnStoreError,
  type StoreFailure,
} from "./guard";
export { DEFAULT_KEY_PREFIX, replyKey } from "./keys";
export { consoleLogger, type MemoryLogger, silentLogger } from "./logger";
export { MemoryStore, type MemoryStoreOptions } from "./memory/memory-store";
export {
  CONVERSATION_ITEM_TYPES,
  compileFilter,
  countItemTokens,
  DEFAULT_DROP_IDS,
  DEFAULT_FILTER_POLICY,
  type FilterPolicy,
  filterItems,
  INLINE_DATA_TOKENS,
  ITEM_OVERHEAD_TOKENS,
  isReasoningItem,
  isToolItem,
  loadO200kCounter,
  MAX_TTL_SECONDS,
  type PairRole,
  pairRole,
  TOOL_CALL_LINKS,
  TOOL_ITEM_TYPES,
  TOOL_OUTPUT_LINKS,
  type TokenCounter,
  trimItems,
  windowStart,
} from "./policy";
export { addTokenUsage, type SdkUsage, tokenUsageOf } from "./policy/usage";
export {
  READ_OUTCOMES,
  type ReadOutcome,
  ReadOutcomeCounter,
  type ReadOutcomeCounts,
} from "./sessions/read-outcome";
export {
  type PersistResult,
  ReplySession,
  type ReplySessionOptions,
} from "./sessions/reply-session";
export {
  DEFAULT_MAX_ITEMS,
  DEFAULT_TTL_SECONDS,
  type MemoryOptions,
} from "./sessions/session-options";
export {
  DEFAULT_STORE_SESSION_TIMEOUT_MS,
  StoreSession,
  type StoreSessionOptions,
} from "./sessions/store-session";
export {
  DEFAULT_SUMMARY_EVERY_TURNS,
  DEFAULT_SUMMARY_INSTRUCTIONS,
  DEFAULT_SUMMARY_TIMEOUT_MS,
  isSummaryItem,
  MAX_UNSUMMARIZED_ITEMS,
  SUMMARY_PREFIX,
  type SummaryOptions,
  type SummaryOutcome,
} from "./sessions/summary";
export type { UsageInput } from "./sessions/usage";
export {
  type ClaimOptions,
  type ClaimResult,
  type ClaimStore,
  type FinishClaimOptions,
  isClaimStore,
  type ReleaseClaimOptions,
} from "./store/claims";
export type {
  HistoryTransaction,
  SessionStore,
  StoreCheck,
  TransactOptions,
  WriteOptions,
} from "./store/contract";
export {
  emptyUsage,
  isUsageStore,
  TOKEN_USAGE_FIELDS,
  type TokenUsage,
  type UsageStore,
} from "./store/usage";
