import type { MemoryStore } from "../memory-store";
import type { RawAccess } from "./conformance";

/** The independent reader for a {@link MemoryStore}: its inspection hooks, not its contract. */
export function memoryRawAccess(getStore: () => MemoryStore): RawAccess {
  return {
    async type(key) {
      return getStore().inspect(key).value?.type ?? "none";
    },
    async ttlSeconds(key) {
      return getStore().inspect(key).ttlSeconds;
    },
    async elements(key) {
      const value = getStore().inspect(key).value;
      return value?.type === "list" ? value.elements : [];
    },
    async keys(prefix) {
      return getStore()
        .keys()
        .filter((key) => key.startsWith(prefix));
    },
    async plant(key, value) {
      getStore().plant(key, value);
    },
  };
}
