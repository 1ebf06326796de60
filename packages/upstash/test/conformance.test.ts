import { runStoreConformance } from "@agents-memory/core/testing";
import { afterAll, describe, test } from "vitest";
import { flavors, startBackend } from "./__fixtures__/setup";

// The core suite, through the real @upstash/redis client and the local Upstash-protocol
// server; the raw reader checks key types and TTLs directly in Redis.
const backend = await startBackend();
afterAll(() => backend.stop());

describe.each(flavors)("$name", (flavor) => {
  runStoreConformance(test, () => flavor.make(backend.upstash), {
    raw: backend.raw,
    groups: { legacy: true },
    layout: "chain",
  });
});
