import { serverTestConfig } from "./vitest-shared";

export default serverTestConfig({ trustCertificate: true });
