import { test } from "vitest";
import { MemoryStore, silentLogger } from "../src";
import { memoryRawAccess, runStoreConformance } from "../src/testing";

// One store per file, on a fake clock: "two writers" share it, and TTL expiry is instant.
let clock = 1_700_000_000_000;
const store = new MemoryStore({ now: () => clock, logger: silentLogger });

runStoreConformance(test, () => store, {
  name: "MemoryStore",
  raw: memoryRawAccess(() => store),
  closeStores: false,
  layout: "chain",
  sleep: async (ms) => {
    clock += ms;
  },
});
