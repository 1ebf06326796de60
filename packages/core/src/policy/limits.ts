/** Policy values are checked where they enter, with the value in the error. */

import { describeValue } from "../describe-value";
export function assertMaxItems(max: unknown): asserts max is number {
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(
      `[agents-memory] maxItems must be a positive integer, got ${describeValue(max)}`,
    );
  }
}

/**
 * The longest TTL, in seconds (about 317 years). Redis takes larger ones, but the chained
 * layout's fork computes expiries in ms inside Lua, whose numbers print in exponent form from
 * 1e14 on, which PEXPIRE refuses: every reply failed to store with a TTL that long.
 */
export const MAX_TTL_SECONDS = 10_000_000_000;

export function assertTtlSeconds(ttl: unknown): asserts ttl is number {
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new RangeError(
      `[agents-memory] ttlSeconds must be a positive integer of at most ${MAX_TTL_SECONDS} (about 317 years), got ${describeValue(ttl)}`,
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
