export { type ClusterNode, type ClusterUrl, isClusterUrl, parseClusterUrl } from "./cluster-url";
export {
  clientQueues,
  defaultFailFastSettings,
  type FailFastSettings,
  failFastClusterOptions,
  failFastRedisOptions,
  type IoRedisClient,
  queuingRisks,
} from "./fail-fast";
export { createIoRedisStore, IoRedisStore } from "./ioredis-store";
export { defaultOptions, type IoRedisStoreOptions } from "./options";
