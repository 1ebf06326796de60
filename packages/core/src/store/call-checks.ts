import type { AgentInputItem } from "@openai/agents";
import {
  assertClaimArgs,
  type ClaimOptions,
  type ClaimStore,
  type FinishClaimOptions,
  type ReleaseClaimOptions,
} from "./claims";
import type {
  AppendOptions,
  ForkOptions,
  HistoryTransaction,
  SessionStore,
  TransactOptions,
  WriteOptions,
} from "./contract";
import { type AddUsageOptions, assertUsage, type TokenUsage, type UsageStore } from "./usage";
import {
  assertAppendOptions,
  assertFunctionCallReplacement,
  assertHistoryKey,
  assertItems,
  assertLimit,
  assertStoreTtl,
  assertTransaction,
  assertTransactOptions,
  assertUsageKey,
  assertWriteOptions,
  validateFork,
} from "./validate";

/** Every operation a store's arguments are checked for (`readStored` takes `read`'s check). */
type CheckedStore = Required<Omit<SessionStore, "readStored" | "connect" | "check" | "close">> &
  ClaimStore &
  UsageStore;

/**
 * What each store operation checks of its arguments, in one place: a store calls
 * `checkCall.<operation>(...)` with the call's own arguments before it does anything, so every
 * store rejects the same bad input with the same error, and a new check is added here once.
 * Each throws the `TypeError` or `RangeError` of the first check that fails (see `./validate`,
 * `assertClaimArgs`, `assertUsage`); every write checks its `WriteOptions` (`deadline`, not
 * whether it passed: that is the store's to enforce). `fork` returns the child keys without
 * duplicates.
 */
export const checkCall = {
  /** The key (a history's: see `assertHistoryKey`), and `limit` undefined or a non-negative integer. */
  read(key: string, limit?: number): void {
    assertHistoryKey(key);
    assertLimit(limit);
  },
  /** The key, the items (JSON objects), the TTL (whole seconds, 0: none), the write options. */
  replace(
    key: string,
    items: readonly AgentInputItem[],
    ttlSeconds: number,
    options?: WriteOptions,
  ): void {
    assertHistoryKey(key);
    assertItems(items);
    assertStoreTtl(ttlSeconds);
    assertWriteOptions(options);
  },
  /** The key, the items, and `maxItems`, `maxTokens`, `ttlSeconds` and the write options. */
  append(key: string, items: readonly AgentInputItem[], options: AppendOptions): void {
    assertHistoryKey(key);
    assertItems(items);
    assertAppendOptions(options);
  },
  /**
   * Every key, both item lists (or `parentElements`), the append options. Returns the child
   * keys, each once.
   */
  fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): string[] {
    return validateFork(parentKey, childKeys, newItems, options);
  },
  /** The key and the write options. */
  pop(key: string, options?: WriteOptions): void {
    assertHistoryKey(key);
    assertWriteOptions(options);
  },
  /** The key and the write options. */
  clear(key: string, options?: WriteOptions): void {
    assertHistoryKey(key);
    assertWriteOptions(options);
  },
  /** The key, the transaction (type, item arrays), `operationId`, `fingerprint`, limits, TTL. */
  transact(key: string, transaction: HistoryTransaction, options: TransactOptions): void {
    assertHistoryKey(key);
    assertTransaction(transaction);
    assertTransactOptions(options);
  },
  /** The key, `callId` (non-empty), a `function_call` replacement, the write options. */
  replaceFunctionCall(
    key: string,
    callId: string,
    replacement: AgentInputItem,
    options?: WriteOptions,
  ): void {
    assertHistoryKey(key);
    assertFunctionCallReplacement(callId, replacement);
    assertWriteOptions(options);
  },
  /** The key, `holder` (1-200 chars), `leaseMs` (a positive integer), the write options. */
  claim(key: string, options: ClaimOptions): void {
    assertClaimArgs(key, options, "leaseMs");
  },
  /** As `claim`. */
  renewClaim(key: string, options: ClaimOptions): void {
    assertClaimArgs(key, options, "leaseMs");
  },
  /** The key, `holder`, `keepMs` (a positive integer), the write options. */
  finishClaim(key: string, options: FinishClaimOptions): void {
    assertClaimArgs(key, options, "keepMs");
  },
  /** The key, `holder`, the write options. */
  releaseClaim(key: string, options: ReleaseClaimOptions): void {
    assertClaimArgs(key, options, undefined);
  },
  /** The key (ending with `:usage`), every usage field a non-negative integer, the TTL, the write options. */
  addUsage(key: string, usage: TokenUsage, options: AddUsageOptions): void {
    assertUsageKey(key);
    assertUsage(usage);
    assertStoreTtl(options?.ttlSeconds);
    assertWriteOptions(options);
  },
  /** The key (ending with `:usage`). */
  readUsage(key: string): void {
    assertUsageKey(key);
  },
} satisfies {
  [K in keyof CheckedStore]: (...args: Parameters<CheckedStore[K]>) => unknown;
};
