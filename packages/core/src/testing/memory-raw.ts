import type { MemoryStore } from "../memory/memory-store";
import type { RawAccess } from "./raw-access";

/** The independent reader for a {@link MemoryStore}: its inspection hooks, not its contract. */
export function memoryRawAccess(getStore: () => MemoryStore): RawAccess {
  return {
    async type(key) {
      return getStore().inspect(key).elements ? "list" : "none";
    },
    async ttlSeconds(key) {
      return getStore().inspect(key).ttlSeconds;
    },
    async elements(key) {
      return getStore().inspect(key).elements ?? [];
    },
    async keys(prefix) {
      return getStore()
        .keys()
        .filter((key) => key.startsWith(prefix));
    },
    async plant(key, value, ttlSeconds) {
      if (value.type !== "list") {
        throw new TypeError("[agents-memory] a MemoryStore holds lists of elements only");
      }
      getStore().plant(key, value.elements, ttlSeconds);
    },
    async operations(key) {
      return getStore().inspectOperations(key);
    },
  };
}
