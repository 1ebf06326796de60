import { type SessionStore, StoreError } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import type { Redis } from "ioredis";
import { expect } from "vitest";

/**
 * Awaits a store call that must fail, asserts that it rejected with a `StoreError` (any other
 * outcome fails the test, naming what came instead), and returns that error.
 */
export async function storeErrorOf(call: Promise<unknown>): Promise<StoreError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(StoreError.isInstance(error), String(error)).toBe(true);
  return error as StoreError;
}

/**
 * Runs `call` while the Redis behind `direct` (a plain client straight to it) answers every
 * write with an OOM error (`maxmemory` 1 byte, `noeviction`), then lifts the limit
 * (`maxmemory` 0) whether `call` resolved or threw. Resolves with what `call` resolved with.
 */
export async function whileOutOfMemory<T>(direct: Redis, call: () => Promise<T>): Promise<T> {
  await direct.config("SET", "maxmemory-policy", "noeviction");
  await direct.config("SET", "maxmemory", "1");
  try {
    return await call();
  } finally {
    await direct.config("SET", "maxmemory", "0");
  }
}

/**
 * Asserts the failure rule for calls that get no answer (the caller has silenced the server, and
 * `store`'s budget is shorter than the silence): a read of `key` is failed; an append of one
 * item to it is unknown, and its message says it may have been applied before its deadline,
 * never after.
 */
export async function expectUnansweredCalls(store: SessionStore, key: string): Promise<void> {
  const [read, write] = await Promise.all([
    storeErrorOf(store.read(key)),
    storeErrorOf(store.append(key, [userItem("sent")], { maxItems: 50, ttlSeconds: 600 })),
  ]);
  expect(read.outcome).toBe("failed");
  expect(write.outcome).toBe("unknown");
  expect(write.message).toMatch(/may have been applied before its deadline, never after/);
}
