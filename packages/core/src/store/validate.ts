import type { AgentInputItem } from "@openai/agents";
import { describeValue } from "../describe-value";
import { assertMaxItems, assertMaxTokens, MAX_TTL_SECONDS } from "../policy/limits";
import { assertNotCompanionKey, USAGE_SUFFIX } from "./companion-keys";
import type {
  AppendOptions,
  ForkOptions,
  HistoryTransaction,
  StoredElement,
  TransactOptions,
  WriteOptions,
} from "./contract";

/**
 * Throws a `TypeError` unless `key` is a non-empty string of at most 1024 characters, and
 * well-formed Unicode: a lone surrogate (half an emoji) is sent to Redis as U+FFFD, so two keys
 * that differ only there would name one history.
 */
export function assertStoreKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > 1024) {
    throw new TypeError(
      `[agents-memory] a store key must be a non-empty string of at most 1024 chars`,
    );
  }
  if (LONE_SURROGATE.test(key)) {
    throw new TypeError(
      "[agents-memory] a store key must be well-formed Unicode: it holds a lone surrogate (half of a character such as an emoji), which Redis would store as U+FFFD, the same as any other",
    );
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** {@link assertStoreKey}, for usage counters: the key ends with `:usage` (see `USAGE_SUFFIX`). */
export function assertUsageKey(key: unknown): asserts key is string {
  assertStoreKey(key);
  if (!key.endsWith(USAGE_SUFFIX)) {
    throw new TypeError(
      `[agents-memory] a usage key must end with "${USAGE_SUFFIX}" (kept apart from histories)`,
    );
  }
}

/** {@link assertStoreKey}, for the key of a history: not one reserved for companion keys. */
export function assertHistoryKey(key: unknown): asserts key is string {
  assertStoreKey(key);
  assertNotCompanionKey(key);
}

/** Throws a `RangeError` unless `limit` is undefined (no limit) or a non-negative safe integer. */
export function assertLimit(limit: unknown): asserts limit is number | undefined {
  if (limit === undefined) return;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(
      `[agents-memory] read limit must be a non-negative integer, got ${describeValue(limit)}`,
    );
  }
}

/** Throws a `TypeError` unless `items` is an array of objects (not arrays, not null). */
export function assertItems(items: unknown): asserts items is readonly AgentInputItem[] {
  if (!Array.isArray(items)) {
    throw new TypeError(`[agents-memory] items must be an array`);
  }
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new TypeError(`[agents-memory] every item must be a JSON object`);
    }
  }
}

/**
 * Throws a `TypeError` when `options` is not an object, a `RangeError` unless `maxItems` and
 * `ttlSeconds` are positive safe integers.
 */
export function assertAppendOptions(options: AppendOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError("[agents-memory] options { maxItems, ttlSeconds } are required");
  }
  assertMaxItems(options.maxItems);
  if (options.maxTokens !== undefined) assertMaxTokens(options.maxTokens);
  assertStoreTtl(options.ttlSeconds);
  assertWriteOptions(options);
}

/** Checks the options every write takes (undefined is fine). */
export function assertWriteOptions(options: unknown): asserts options is WriteOptions | undefined {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") {
    throw new TypeError("[agents-memory] write options must be an object");
  }
  const { deadline } = options as WriteOptions;
  if (deadline !== undefined && (typeof deadline !== "number" || !Number.isFinite(deadline))) {
    throw new RangeError(
      `[agents-memory] deadline must be ms since the epoch, got ${describeValue(deadline)}`,
    );
  }
}

/** Validates a fork call; returns the child keys without duplicates. */
export function validateFork(
  parentKey: string | null,
  childKeys: readonly string[],
  newItems: readonly AgentInputItem[],
  options: ForkOptions,
): string[] {
  if (parentKey !== null) assertHistoryKey(parentKey);
  if (!Array.isArray(childKeys) || childKeys.length === 0) {
    throw new TypeError("[agents-memory] fork needs at least one child key");
  }
  for (const key of childKeys) assertHistoryKey(key);
  assertItems(newItems);
  assertAppendOptions(options);
  // With the stored JSON at hand, parentItems is not needed (and not parsed to check it).
  if (options.parentElements !== undefined) assertElements(options.parentElements);
  else assertItems(options.parentItems);
  return [...new Set(childKeys)];
}

function assertElements(elements: unknown): asserts elements is readonly StoredElement[] {
  if (!Array.isArray(elements) || elements.some((element) => typeof element !== "string")) {
    throw new TypeError(`[agents-memory] parentElements must be an array of JSON strings`);
  }
}

/**
 * Throws a `TypeError` unless `transaction` is an `append_items` with an `items` array or a
 * `replace_suffix` with `expectedSuffix` and `replacement` arrays, all of JSON objects.
 */
export function assertTransaction(transaction: unknown): asserts transaction is HistoryTransaction {
  const record = transaction as Partial<Record<string, unknown>> | null;
  if (record === null || typeof record !== "object") {
    throw new TypeError("[agents-memory] a history transaction must be an object");
  }
  if (record.type === "append_items") {
    assertItems(record.items);
    return;
  }
  if (record.type === "replace_suffix") {
    assertItems(record.expectedSuffix);
    assertItems(record.replacement);
    return;
  }
  throw new TypeError(
    `[agents-memory] unsupported history transaction type ${JSON.stringify(record.type)}`,
  );
}

/**
 * Throws a `TypeError` unless `operationId` and `fingerprint` are non-empty strings, a
 * `RangeError` unless `maxItems` is undefined or a positive safe integer and `ttlSeconds`
 * undefined or a non-negative safe integer (0: no expiry).
 */
export function assertTransactOptions(options: unknown): asserts options is TransactOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError("[agents-memory] options { operationId, fingerprint } are required");
  }
  const { operationId, fingerprint, maxItems, ttlSeconds } = options as TransactOptions;
  if (typeof operationId !== "string" || operationId.trim() === "") {
    throw new TypeError("[agents-memory] operationId must be a non-empty string");
  }
  if (typeof fingerprint !== "string" || fingerprint === "") {
    throw new TypeError("[agents-memory] fingerprint must be a non-empty string");
  }
  if (maxItems !== undefined) assertMaxItems(maxItems);
  const { maxTokens } = options as TransactOptions;
  if (maxTokens !== undefined) assertMaxTokens(maxTokens);
  if (
    ttlSeconds !== undefined &&
    (typeof ttlSeconds !== "number" || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0)
  ) {
    throw new RangeError(
      `[agents-memory] ttlSeconds must be a non-negative integer (0: no expiry), got ${describeValue(ttlSeconds)}`,
    );
  }
  assertWriteOptions(options);
}

/** Throws a `TypeError` unless `callId` is a non-empty string and `replacement` a `function_call` item. */
export function assertFunctionCallReplacement(callId: unknown, replacement: unknown): void {
  if (typeof callId !== "string" || callId === "") {
    throw new TypeError("[agents-memory] callId must be a non-empty string");
  }
  if (
    replacement === null ||
    typeof replacement !== "object" ||
    (replacement as { type?: unknown }).type !== "function_call"
  ) {
    throw new TypeError("[agents-memory] the replacement must be a function_call item");
  }
}

/** A store write's TTL: whole seconds, or 0 for no expiry (the key is made persistent). */
export function assertStoreTtl(ttl: unknown): asserts ttl is number {
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    throw new RangeError(
      `[agents-memory] ttlSeconds must be a whole number of seconds up to ${MAX_TTL_SECONDS} (0: no expiry), got ${describeValue(ttl)}`,
    );
  }
}
