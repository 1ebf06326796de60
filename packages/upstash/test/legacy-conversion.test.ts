import { silentLogger } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { startLatencyProxy } from "@agents-memory/test-servers/latency-proxy";
import { storeErrorOf, whileLegacyStringChanges } from "@agents-memory/test-servers/testing";
import { afterAll, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { startBackend } from "./__fixtures__/setup";

/*
 * A legacy string (the Python bot's JSON array) that another writer keeps changing while a
 * write converts it: the write fails, and says "failed", not "may have been applied": Upstash
 * answered every try, and each try changed nothing.
 */

const backend = await startBackend();
afterAll(() => backend.stop());

test("a legacy string that keeps changing fails the write as failed: Upstash answered every try", async () => {
  // Each try is a round trip away; the other writer changes the string many times meanwhile.
  const proxy = await startLatencyProxy({ targetPort: backend.upstash.port });
  proxy.setDelay(10);
  const store = new UpstashStore({
    url: `http://127.0.0.1:${proxy.port}`,
    token: backend.upstash.token,
    legacyStrings: true,
    logger: silentLogger,
  });
  const k = `am-legacy-race:${process.pid}`;
  const blob = (text: string) => JSON.stringify([userItem(text)]);
  await backend.direct.set(k, blob("old"));
  try {
    const error = await whileLegacyStringChanges(backend.direct, k, () =>
      storeErrorOf(store.append(k, [userItem("new")], { maxItems: 50, ttlSeconds: 600 })),
    );
    expect(error.message).toMatch(/kept changing/);
    expect(error.outcome).toBe("failed");
    expect(error.message).not.toMatch(/may have been applied/);
  } finally {
    await store.close();
    await proxy.close();
  }
  expect(await backend.direct.type(k)).toBe("string");
});
