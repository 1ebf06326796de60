import { StoreShapeError, silentLogger } from "@agents-memory/core";
import { startScriptRefusingProxy } from "@agents-memory/test-servers/script-refusing-proxy";
import { recordingLogger } from "@agents-memory/test-servers/testing";
import { startUpstashServer } from "@agents-memory/test-servers/upstash";
import { afterAll, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { startBackend } from "./__fixtures__/setup";

const backend = await startBackend();
const { upstash, direct } = backend;
afterAll(() => backend.stop());

test("check() writes, forks and reads a two-turn chain, says so in one line, and leaves no key", async () => {
  const logger = recordingLogger();
  const store = new UpstashStore({
    url: upstash.url,
    token: upstash.token,
    timeoutMs: 3000,
    logger,
  });
  const found = await store.check();
  expect(found).toMatchObject({ layout: "chain", fenced: true, warnings: [] });
  expect(found.summary).toMatch(
    /^upstash store check passed: .*; layout chain, write fence on, round trip \d+\.\d ms$/,
  );
  expect(await direct.keys("*agents-memory-check*")).toEqual([]);
  expect(logger.warnings).toEqual([]);
});

test("a rejected token: check() says so in one line, without the token", async () => {
  const store = new UpstashStore({
    url: upstash.url,
    token: "not-the-token",
    logger: silentLogger,
  });
  const error = await store.check().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(StoreShapeError.isInstance(error)).toBe(true);
  expect((error as StoreShapeError).problem).toBe("credentials");
  expect((error as Error).message).not.toContain("not-the-token");
  expect((error as Error).message).not.toContain("\n");
});

test("behind a server refusing undeclared keys, or a write after TIME: the check adapts with one warning each", async () => {
  for (const refusal of ["undeclared-keys", "write-after-time"] as const) {
    const proxy = await startScriptRefusingProxy(backend.redis, refusal);
    const rest = await startUpstashServer({ redisPort: proxy.port });
    try {
      const logger = recordingLogger();
      const store = new UpstashStore({ url: rest.url, token: rest.token, timeoutMs: 3000, logger });
      const found = await store.check();
      expect(found.warnings, refusal).toHaveLength(1);
      expect(found).toMatchObject(
        refusal === "undeclared-keys"
          ? { layout: "copy", fenced: true }
          : { layout: "chain", fenced: false },
      );
      expect(logger.warnings.filter((line) => line.fields.adapted)).toHaveLength(1);
    } finally {
      await rest.close();
      await proxy.close();
    }
  }
});
