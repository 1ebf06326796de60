import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The tests start the example's own processes and servers: one file at a time.
    fileParallelism: false,
    // A `pnpm start` takes up to 20 s to start on a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
