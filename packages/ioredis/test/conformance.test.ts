import { silentLogger } from "@agents-memory/core";
import { runStoreConformance } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { redisRawAccess } from "@agents-memory/test-servers/redis-raw";
import { Redis } from "ioredis";
import { afterAll, describe, test } from "vitest";
import { failFastRedisOptions, IoRedisStore } from "../src";
import { majors } from "./__fixtures__/clients";

const server = await startRedisServer();
// The independent reader: a separate, plain ioredis client.
const rawClient = new Redis(server.url);
const raw = redisRawAccess(rawClient);

afterAll(async () => {
  rawClient.disconnect();
  await server.stop();
});

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
