/**
 * `@agents-memory/core/store`: for authors of a `SessionStore`. The contract, the argument
 * checks every store makes, the stored-JSON helpers (one JSON object per item; a malformed
 * element is skipped and logged, never a crash) and the parent fingerprint a network store
 * checks before copying a parent server-side. The failure rule (`storeCallError`: whether a
 * failed call is "failed" or "unknown") is in `@agents-memory/core`, beside the errors it
 * builds. The conformance suite is in `./testing`.
 *
 * @module \@agents-memory/core/store
 */

export { assertNumberOption, describeValue, type NumberRule } from "../describe-value";
export { describeCause, maskCredentials } from "../logger";
export { tokenWindowLimit } from "../policy/token-window";
export { windowStartBy } from "../policy/window";
export { urlParseProblem } from "../url-problem";
export { checkCall } from "./call-checks";
export {
  CHAIN_LINK_FLOOR,
  CHAIN_LINK_PREFIX,
  CHAIN_TTL_SLACK_DIVISOR,
  CHAIN_WALK_SLACK,
  type ChainLink,
  type ChainStep,
  chainLinkElement,
  followLink,
  LINK_REFUSAL_TEXT,
  type LinkRefusal,
  linkRefusal,
  parseChainLink,
  type ReplyKeyParts,
  replyKeyParts,
} from "./chain-link";
export {
  assertClaimArgs,
  type ClaimOptions,
  type ClaimResult,
  type ClaimStore,
  type FinishClaimOptions,
  isClaimStore,
  type ReleaseClaimOptions,
} from "./claims";
export { assertNotCompanionKey, OPERATIONS_SUFFIX, USAGE_SUFFIX } from "./companion-keys";
export type {
  AppendOptions,
  ForkOptions,
  HistoryGap,
  HistoryTransaction,
  SessionStore,
  StoredElement,
  StoredItems,
  TransactOptions,
  WriteOptions,
} from "./contract";
export { fingerprintElements, fingerprintItems, sha1Hex } from "./fingerprint";
export { reportHistoryGap } from "./history-gap";
export {
  assertKnownOptions,
  type KnownOptionsContext,
  optionNames,
} from "./known-options";
export {
  elementPairRole,
  elementsWindowStart,
  emptyStored,
  isReasoningElement,
  newestStored,
  parentElementsOf,
  parseStoredElement,
  parseStoredElements,
  parseStoredItems,
  readStoredItems,
  readStoredWindow,
  serializeItems,
  storedTokens,
  type TokenBudget,
  trimElements,
} from "./stored-json";
export {
  storedTokenCount,
  TOKEN_COUNT_FIELD,
  TOKEN_COUNT_PREFIX,
  withoutTokenCount,
  withTokenCount,
} from "./token-count";
export {
  type AddUsageOptions,
  assertUsage,
  emptyUsage,
  isUsageStore,
  TOKEN_USAGE_FIELDS,
  type TokenUsage,
  type UsageStore,
  usageFromCounters,
} from "./usage";
export {
  assertAppendOptions,
  assertFunctionCallReplacement,
  assertHistoryKey,
  assertItems,
  assertLimit,
  assertStoreKey,
  assertStoreTtl,
  assertTransaction,
  assertTransactOptions,
  assertUsageKey,
  assertWriteOptions,
  validateFork,
} from "./validate";
