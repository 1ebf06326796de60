import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The e2e files run the built bot: build it first when not run by turbo.
    globalSetup: ["test/support/global-setup.ts"],
    // End-to-end files start a bot process and servers each: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
