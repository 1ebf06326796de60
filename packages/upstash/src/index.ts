export { credentialsFromEnv, ENV_TOKEN, ENV_URL } from "./client";
export {
  createUpstashStore,
  defaultOptions,
  UpstashStore,
  type UpstashStoreOptions,
} from "./upstash-store";
