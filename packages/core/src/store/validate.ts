import type { AgentInputItem } from "@openai/agents";
import { assertMaxItems, assertTtlSeconds } from "../policy/limits";
import type { AppendOptions, ForkOptions, StoredElement, WriteOptions } from "./contract";

/** Throws a `TypeError` unless `key` is a non-empty string of at most 1024 characters. */
export function assertStoreKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > 1024) {
    throw new TypeError(
      `[agents-memory] a store key must be a non-empty string of at most 1024 chars`,
    );
  }
}

/** Throws a `RangeError` unless `limit` is undefined (no limit) or a non-negative safe integer. */
export function assertLimit(limit: unknown): asserts limit is number | undefined {
  if (limit === undefined) return;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(
      `[agents-memory] read limit must be a non-negative integer, got ${String(limit)}`,
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
  assertTtlSeconds(options.ttlSeconds);
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
      `[agents-memory] deadline must be ms since the epoch, got ${String(deadline)}`,
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
  if (parentKey !== null) assertStoreKey(parentKey);
  if (!Array.isArray(childKeys) || childKeys.length === 0) {
    throw new TypeError("[agents-memory] fork needs at least one child key");
  }
  for (const key of childKeys) assertStoreKey(key);
  assertItems(newItems);
  assertAppendOptions(options);
  // With the stored JSON at hand, parentItems is not needed (and not parsed to check it).
  if (options.parentElements !== undefined) assertElements(options.parentElements);
  else assertItems(options.parentItems);
  return [...new Set(childKeys)];
}

function assertElements(elements: unknown): asserts elements is readonly StoredElement[] {
  if (
    !Array.isArray(elements) ||
    elements.some((element) => typeof element !== "string" && !(element instanceof Uint8Array))
  ) {
    throw new TypeError(
      `[agents-memory] parentElements must be an array of JSON strings or their UTF-8 bytes`,
    );
  }
}
