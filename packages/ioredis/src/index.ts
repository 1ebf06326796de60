export {
  clientQueues,
  defaultFailFastSettings,
  type FailFastSettings,
  failFastClusterOptions,
  failFastRedisOptions,
  type IoRedisClient,
  queuingRisks,
} from "./connection";
export { createIoRedisStore, IoRedisStore } from "./ioredis-store";
export { defaultOptions, type IoRedisStoreOptions } from "./options";
