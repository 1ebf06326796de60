export { StoreError, StoreTimeoutError } from "./errors";
export {
  DEFAULT_TIMEOUT_MS,
  type OnStoreError,
  type StoreFailure,
  withTimeout,
} from "./guard";
export { assertKeyPrefix, DEFAULT_KEY_PREFIX, replyKey } from "./keys";
export { consoleLogger, describeCause, type MemoryLogger, silentLogger } from "./logger";
export { type MemoryEntryValue, MemoryStore, type MemoryStoreOptions } from "./memory-store";
export {
  assertMaxItems,
  assertTtlSeconds,
  CONVERSATION_ITEM_TYPES,
  compileFilter,
  DEFAULT_DROP_IDS,
  DEFAULT_FILTER_POLICY,
  type FilterPolicy,
  filterItems,
  isReasoningItem,
  isToolItem,
  keepItems,
  keptMask,
  TOOL_ITEM_TYPES,
  trimCut,
  trimItems,
} from "./policy";
export {
  appendLayout,
  forkLayout,
  popLayout,
  type RedisLayoutContext,
  type RedisLayoutDriver,
  readLayout,
  writeLayout,
} from "./redis-layout";
export { REDIS_LUA } from "./redis-lua";
export { type PersistResult, ReplySession, type ReplySessionOptions } from "./reply-session";
export {
  DEFAULT_MAX_ITEMS,
  DEFAULT_TTL_SECONDS,
  type MemoryOptions,
} from "./session-options";
export {
  type AppendOptions,
  assertAppendOptions,
  assertItems,
  assertLimit,
  assertStoreKey,
  elementText,
  emptyStored,
  type ForkOptions,
  fingerprintElements,
  fingerprintItems,
  isReasoningElement,
  parentElementsOf,
  parseLegacyValue,
  parseStoredElements,
  parseStoredItems,
  readStoredItems,
  type SessionStore,
  type StoredElement,
  type StoredItems,
  serializeItems,
  sha1Hex,
  trimElements,
  validateFork,
} from "./store";
export { StoreSession, type StoreSessionOptions } from "./store-session";
