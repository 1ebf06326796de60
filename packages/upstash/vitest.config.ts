import { defineConfig } from "vitest/config";
import { prepareTrustedCertificate } from "../test-servers/src/tls";

// The local Upstash server also speaks HTTPS; the workers trust its throwaway certificate.
prepareTrustedCertificate();

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every file starts its own redis-server and local Upstash server; one file at a time
    // keeps the fault timings honest.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
