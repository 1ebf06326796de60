import { defineConfig } from "vitest/config";
import { prepareTrustedCertificate } from "./src/tls";

// The local Upstash server also speaks HTTPS; the workers trust its throwaway certificate.
prepareTrustedCertificate();

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Test files start their own redis-server(s) and servers; one file at a time.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
