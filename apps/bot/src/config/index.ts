export { type CliFlags, parseArgs, USAGE } from "./cli";
export { ConfigError } from "./config-error";
export { DEFAULTS, DEMO_MODEL } from "./defaults";
export { loadEnvFiles } from "./env-files";
export { loadConfig } from "./load-config";
export { redactConfig, redactUrl, secretsOf } from "./redact";
export type { Config, McpServerConfig, StoreConfig } from "./types";
