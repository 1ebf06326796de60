import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import {
  expectExampleOutcome,
  type PackedProject,
  packedProject,
} from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

/**
 * What a user gets: core and this package packed as tarballs (`pnpm pack`, from the built
 * dist), installed with npm into an empty project next to the registry's `ioredis` (today's
 * major) and `@openai/agents`, then this README's example run there as ESM and as CJS. The
 * only change to the example is the model: a scripted one instead of a real OpenAI model.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));

const server = await startRedisServer();
const raw = new Redis(server.url);
let project: PackedProject;

beforeAll(async () => {
  project = await packedProject({
    packageDir,
    alsoPack: [join(packageDir, "..", "core")],
    dependencies: ["ioredis"],
  });
}, 240_000);

afterAll(async () => {
  raw.disconnect();
  await server.stop();
  await project?.remove();
});

test.each(["mjs", "cjs"] as const)(
  "the README example runs from the packed tarballs (%s)",
  async (format) => {
    await raw.flushall();
    const { stdout } = await project.runExample(format, {
      REDIS_URL: server.url,
      OPENAI_AGENTS_DISABLE_TRACING: "1",
    });
    await expectExampleOutcome(stdout, raw);
    // The installed ioredis is whatever npm resolves today; say which one was proven.
    expect(await project.installedVersion("ioredis")).toMatch(/^[56]\./);
  },
  90_000,
);
