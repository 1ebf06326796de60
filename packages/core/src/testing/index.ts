/**
 * `@agents-memory/core/testing`: the store conformance suite, in groups, and the independent
 * readers it checks a backend with. A Redis-protocol store adopts it in a few lines:
 *
 * ```ts
 * const raw = redisRawAccess((...args) => client.call(...args));
 * runStoreConformance(test, () => new MyStore(client), { raw, groups: { legacy: true } });
 * ```
 *
 * @module \@agents-memory/core/testing
 */
export { assistantItem, userItem } from "./items";
export { memoryRawAccess } from "./memory-raw";
export { type RawAccess, type RawOperations, type RawValue, rawHistory } from "./raw-access";
export { type RedisCall, redisRawAccess } from "./redis-raw";
export { rk, TEST_CHAT_ID } from "./reply-keys";
export {
  type ConformanceGroups,
  type ConformanceOptions,
  runStoreConformance,
  type TestFn,
} from "./suite";
