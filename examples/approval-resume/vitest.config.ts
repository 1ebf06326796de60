import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The tests start the example's own processes and servers: one file at a time.
    fileParallelism: false,
    // Each test runs up to four `pnpm` commands; on a loaded machine one takes 20 s to start.
    testTimeout: 180_000,
    hookTimeout: 30_000,
  },
});
