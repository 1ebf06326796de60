import { serverTestConfig } from "../test-servers/vitest-shared";

// The local Upstash server also speaks HTTPS; the workers trust its throwaway certificate.
export default serverTestConfig({ trustCertificate: true });
