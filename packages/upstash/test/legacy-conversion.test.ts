import { StoreError, silentLogger } from "@agents-memory/core";
import { userItem } from "@agents-memory/core/testing";
import { startLatencyProxy } from "@agents-memory/test-servers/latency-proxy";
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
  let racing = true;
  let changes = 0;
  const until = Date.now() + 5_000;
  const otherWriter = (async () => {
    while (racing && Date.now() < until) await backend.direct.set(k, blob(`other ${++changes}`));
  })();
  try {
    const error = await store.append(k, [userItem("new")], { maxItems: 50, ttlSeconds: 600 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(StoreError.isInstance(error), String(error)).toBe(true);
    expect((error as StoreError).message).toMatch(/kept changing/);
    expect((error as StoreError).outcome).toBe("failed");
    expect((error as StoreError).message).not.toMatch(/may have been applied/);
  } finally {
    racing = false;
    await otherWriter;
    await store.close();
    await proxy.close();
  }
  expect(await backend.direct.type(k)).toBe("string");
});
