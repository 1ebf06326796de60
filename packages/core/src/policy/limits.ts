/** Policy values are checked where they enter, with the value in the error. */

import { describeValue } from "../describe-value";
export function assertMaxItems(max: unknown): asserts max is number {
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(
      `[agents-memory] maxItems must be a positive integer, got ${describeValue(max)}`,
    );
  }
}

export function assertTtlSeconds(ttl: unknown): asserts ttl is number {
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 1) {
    throw new RangeError(
      `[agents-memory] ttlSeconds must be a positive integer, got ${describeValue(ttl)}`,
    );
  }
}

export function assertMaxTokens(max: unknown): asserts max is number {
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(
      `[agents-memory] maxTokens must be a positive integer, got ${describeValue(max)}`,
    );
  }
}
