import { serverTestConfig } from "../test-servers/vitest-shared";

export default serverTestConfig();
