import { silentLogger } from "@agents-memory/core";
import { runStoreConformance } from "@agents-memory/core/testing";
import { redisRawAccess } from "@agents-memory/test-servers/redis-raw";
import { startRedisWithReader } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, describe, test } from "vitest";
import { failFastRedisOptions, IoRedisStore } from "../src";
import { majors } from "./__fixtures__/clients";

// The independent reader: a separate, plain ioredis client.
const { server, raw: rawClient, stop } = await startRedisWithReader();
afterAll(stop);
const raw = redisRawAccess(rawClient);

describe.each(majors)("$name, a client the caller built", (major) => {
  const client = major.redis(server.url, failFastRedisOptions());
  afterAll(() => client.disconnect());
  runStoreConformance(test, () => new IoRedisStore({ client, logger: silentLogger }), {
    raw,
    groups: { legacy: true },
    layout: "chain",
  });
});

describe("a client the store built from a URL (and owns)", () => {
  runStoreConformance(test, () => new IoRedisStore({ url: server.url, logger: silentLogger }), {
    raw,
    groups: { legacy: true },
    layout: "chain",
  });
});

describe("the copy layout on a single node (every reply key holds its whole window)", () => {
  const client = new Redis(server.url, failFastRedisOptions());
  afterAll(() => client.disconnect());
  runStoreConformance(
    test,
    () => new IoRedisStore({ client, layout: "copy", logger: silentLogger }),
    { raw, groups: { legacy: true }, layout: "copy" },
  );
});
