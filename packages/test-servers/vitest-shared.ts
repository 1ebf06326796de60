import { defineConfig } from "vitest/config";
import { prepareTrustedCertificate } from "./src/tls";

/**
 * The vitest config of a package whose test files start their own servers (redis-server, the
 * local Upstash, Responses and Telegram servers): `test/**\/*.test.ts`, one file at a time (so
 * no file's fault timings run on a machine loaded by another's servers), 20 s a test, 60 s a
 * hook (starting a Cluster). `trustCertificate`: the local Upstash server's HTTPS certificate is
 * made trusted by the test workers first (see `prepareTrustedCertificate`). Default false.
 */
export function serverTestConfig(options: { trustCertificate?: boolean } = {}) {
  if (options.trustCertificate) prepareTrustedCertificate();
  return defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      fileParallelism: false,
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  });
}
