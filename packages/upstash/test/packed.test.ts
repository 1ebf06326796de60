import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  expectExampleOutcome,
  type PackedProject,
  packedProject,
} from "@agents-memory/test-servers/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startBackend } from "./__fixtures__/setup";

/**
 * What a user gets: core and this package packed as tarballs (`pnpm pack`, from the built
 * dist), installed with npm into an empty project next to the registry's `@upstash/redis`
 * (today's latest) and `@openai/agents`, then this README's example run there as ESM and as
 * CJS against the local Upstash-protocol server (url and token from the environment, as the
 * example reads them). The only change to the example is the model: a scripted one instead
 * of a real OpenAI model.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));

const backend = await startBackend();
const raw = backend.direct;
let project: PackedProject;

beforeAll(async () => {
  project = await packedProject({
    packageDir,
    alsoPack: [join(packageDir, "..", "core")],
    dependencies: ["@upstash/redis"],
  });
}, 240_000);

afterAll(async () => {
  await backend.stop();
  await project?.remove();
});

test.each(["mjs", "cjs"] as const)(
  "the README example runs from the packed tarballs (%s)",
  async (format) => {
    await raw.flushall();
    backend.upstash.requests.reset();
    const { stdout } = await project.runExample(format, {
      UPSTASH_REDIS_REST_URL: backend.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: backend.upstash.token,
      OPENAI_AGENTS_DISABLE_TRACING: "1",
    });
    await expectExampleOutcome(stdout, raw);
    // It went through the REST server, one request per store call (plus first-time EVALs).
    expect(backend.upstash.requests.byPath()).toEqual({ "/": expect.any(Number) });
    // The installed client is whatever npm resolves today; say which one was proven.
    expect(await project.installedVersion("@upstash/redis")).toMatch(/^1\./);
  },
  90_000,
);
